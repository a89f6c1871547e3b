using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.TestSupport.Telemetry;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Telemetry;

[Collection(TelemetryTests.Name)]
public sealed class TelemetryMatchTests(TelemetryFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Upload_StoresEveryStatisticAndTheSummary_WhenTheFileIsGzip()
    {
        var (status, body) = await fixture.UploadAsync(("match.json.gz", KnownMatch.Gzip()));

        status.ShouldBe(202, body.ToString());
        body.GetProperty("registered").GetInt32().ShouldBe(1);
        body.GetProperty("batchId").GetInt64().ShouldBeGreaterThan(0);
        var match = await fixture.WaitMatchAsync(KnownMatch.MatchId);
        match.GetProperty("status").GetString().ShouldBe("processed", match.ToString());
        match.GetProperty("map").GetString().ShouldBe(KnownMatch.MapName);
        match.GetProperty("mode").GetString().ShouldBe(KnownMatch.Mode);
        match.GetProperty("durationSeconds").GetDouble().ShouldBe(KnownMatch.DurationSeconds);
        match.GetProperty("playerCount").GetInt32().ShouldBe(6);
        ShouldHaveExpectedStats(match.GetProperty("players"));
    }

    [Fact]
    public async Task Upload_FailsOnlyTheTruncatedMatch_WithOffsetAndEventIndex()
    {
        var good = KnownMatch.Json("match-good");
        var truncatedJson = KnownMatch.Json("match-truncated");
        var truncated = truncatedJson.AsSpan(0, truncatedJson.Length * 2 / 3).ToArray();

        var (status, body) = await fixture.UploadAsync(("good.json", good), ("truncated.json.gz", KnownMatch.Compress(truncated)));

        status.ShouldBe(202, body.ToString());
        var batch = await fixture.Api.WaitFinalAsync(body.GetProperty("batchId").GetInt64());
        batch.State.ShouldBe("completed_with_failures");
        (await fixture.WaitMatchAsync("match-good")).GetProperty("status").GetString().ShouldBe("processed");
        var failed = await fixture.WaitMatchAsync("match-truncated");
        failed.GetProperty("status").GetString().ShouldBe("failed");
        failed.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("byte offset");
        failed.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("event index");
        failed.GetProperty("players").GetArrayLength().ShouldBe(0);
        // Not retryable: one attempt only.
        (await fixture.Db.ScalarAsync("select max(attempts) from app.items where batch_id = @b", ("b", batch.Id))).ShouldBe(1);
    }

    [Fact]
    public async Task Sweep_QueuesTheLargestStoredFilesFirst()
    {
        var large = KnownMatch.Json("m-large").Concat(Encoding.UTF8.GetBytes(new string(' ', 20_000))).ToArray(); // trailing whitespace: the same match, a larger file

        var (status, body) = await fixture.UploadAsync(("small.json.gz", KnownMatch.Gzip("m-small")), ("medium.json", KnownMatch.Json("m-medium")), ("large.json", large));

        status.ShouldBe(202, body.ToString());
        var batchId = body.GetProperty("batchId").GetInt64();
        (await fixture.Db.TextAsync("select string_agg(payload ->> 'matchId', ',' order by item_no) from app.items where batch_id = @b", ("b", batchId)))
            .ShouldBe("m-large,m-medium,m-small");
        (await fixture.Api.WaitFinalAsync(batchId)).State.ShouldBe("succeeded");
    }

    [Fact]
    public async Task Sweep_SpreadsASmallBatchOverTheTelemetryWorkers()
    {
        // The fixture's one job server fetches from the telemetry queue with this many workers; ChunkSize is 10.
        var workers = int.Parse(TelemetryFixture.Settings()["Hangfire:Servers:0:WorkerCount"]!, System.Globalization.CultureInfo.InvariantCulture);
        var matches = Enumerable.Range(1, workers - 1).Select(n => ($"m{n}.json", KnownMatch.Json($"m-spread-{n}"))).ToArray();

        var (status, body) = await fixture.UploadAsync(matches);

        status.ShouldBe(202, body.ToString());
        var batchId = body.GetProperty("batchId").GetInt64();
        (await fixture.Db.ScalarAsync("select chunk_size from app.batches where id = @b", ("b", batchId))).ShouldBe(1);
        (await fixture.Db.ScalarAsync("select count(*) from app.chunks where batch_id = @b", ("b", batchId))).ShouldBe(matches.Length);
        (await fixture.Api.WaitFinalAsync(batchId)).State.ShouldBe("succeeded");
    }

    [Fact]
    public async Task Url_IsFetchedByTheWorker_AndAMissingFileFailsForGood()
    {
        await using var server = await LoopbackServer.StartAsync(async (context, _) =>
        {
            if (context.Request.Path == "/telemetry/url-match.json.gz")
            {
                context.Response.ContentType = "application/octet-stream";
                await context.Response.Body.WriteAsync(KnownMatch.Gzip("url-match"));
            }
            else
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
            }
        });

        var (status, body) = await fixture.RegisterUrlsAsync(
            ("url-match", new Uri(server.BaseAddress, "/telemetry/url-match.json.gz").ToString()),
            ("gone-match", new Uri(server.BaseAddress, "/telemetry/gone.json.gz").ToString()));

        status.ShouldBe(202, body.ToString());
        var match = await fixture.WaitMatchAsync("url-match");
        match.GetProperty("status").GetString().ShouldBe("processed", match.ToString());
        ShouldHaveExpectedStats(match.GetProperty("players"));
        var gone = await fixture.WaitMatchAsync("gone-match");
        gone.GetProperty("status").GetString().ShouldBe("failed");
        gone.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("404");
    }

    [Fact]
    public async Task Registration_MergesDuplicates_AndReprocessingReplacesTheRows()
    {
        (await fixture.UploadAsync(("a.json", KnownMatch.Json()))).Status.ShouldBe(202);
        await fixture.WaitMatchAsync(KnownMatch.MatchId);

        var (status, again) = await fixture.UploadAsync(("a-again.json.gz", KnownMatch.Gzip()));
        status.ShouldBe(202);
        again.GetProperty("merged").GetInt32().ShouldBe(1);
        again.GetProperty("matches")[0].GetProperty("status").GetString().ShouldBe("processed");

        using var reprocess = await fixture.Api.PostAsync(new Uri($"/api/telemetry/matches/{KnownMatch.MatchId}/reprocess", UriKind.Relative), null);
        ((int)reprocess.StatusCode).ShouldBe(202);
        var reprocessed = await TelemetryFixture.ReadAsync(reprocess);
        reprocessed.GetProperty("previousStatus").GetString().ShouldBe("processed");
        var batch = await fixture.Api.WaitFinalAsync(reprocessed.GetProperty("batchId").GetInt64());
        batch.State.ShouldBe("succeeded");
        (await fixture.WaitMatchAsync(KnownMatch.MatchId)).GetProperty("status").GetString().ShouldBe("processed");
        (await fixture.Db.ScalarAsync("select count(*) from app.telemetry_player_stats")).ShouldBe(6);
        (await fixture.Db.ScalarAsync("select count(*) from app.telemetry_matches")).ShouldBe(1);
    }

    [Fact]
    public async Task Players_HaveLifetimeTotals_AndTheLeaderboardRanksAStatistic()
    {
        (await fixture.UploadAsync(("one.json", KnownMatch.Json("m-one")), ("two.json.gz", KnownMatch.Gzip("m-two")))).Status.ShouldBe(202);
        await fixture.WaitMatchAsync("m-one");
        await fixture.WaitMatchAsync("m-two");

        var (status, player) = await fixture.GetAsync($"/api/telemetry/players/{KnownMatch.A.AccountId}");
        status.ShouldBe(200, player.ToString());
        player.GetProperty("matches").GetInt32().ShouldBe(2);
        player.GetProperty("wins").GetInt32().ShouldBe(2);
        player.GetProperty("perMatch").GetArrayLength().ShouldBe(2);
        var lifetime = player.GetProperty("lifetime");
        lifetime.GetProperty("kills").GetDouble().ShouldBe(6);
        lifetime.GetProperty("longestKill").GetDouble().ShouldBe(200);
        lifetime.GetProperty("killStreaks").GetDouble().ShouldBe(2);
        lifetime.GetProperty("walkDistance").GetDouble().ShouldBe(1300, 0.001);
        lifetime.GetProperty("winPlace").GetDouble().ShouldBe(1);

        var (boardStatus, board) = await fixture.GetAsync("/api/telemetry/leaderboard?stat=kills&page=1");
        boardStatus.ShouldBe(200, board.ToString());
        board.GetProperty("total").GetInt64().ShouldBe(6);
        var first = board.GetProperty("items")[0];
        first.GetProperty("accountId").GetString().ShouldBe(KnownMatch.A.AccountId);
        first.GetProperty("value").GetDouble().ShouldBe(6);
        var (_, dbnos) = await fixture.GetAsync("/api/telemetry/leaderboard?stat=dbnos");
        dbnos.GetProperty("stat").GetString().ShouldBe("DBNOs");
    }

    [Theory]
    [InlineData("/api/telemetry/leaderboard?stat=bogus", 400, "stat")]
    [InlineData("/api/telemetry/leaderboard?stat=kills&page=0", 400, "page")]
    [InlineData("/api/telemetry/matches/no-such-match", 404, "not registered")]
    [InlineData("/api/telemetry/players/account.nobody", 404, "No processed match")]
    public async Task Reads_AnswerProblemDetails_ForBadQueries(string path, int expected, string mention)
    {
        using var response = await fixture.Api.GetAsync(new Uri(path, UriKind.Relative));

        ((int)response.StatusCode).ShouldBe(expected);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await response.Content.ReadAsStringAsync()).ShouldContain(mention);
    }

    [Fact]
    public async Task Registration_WritesNothing_WhenAnyInputIsBad()
    {
        var (notTelemetry, body) = await fixture.UploadAsync(("good.json", KnownMatch.Json("ok-match")), ("notes.txt", "hello"u8.ToArray()));
        notTelemetry.ShouldBe(400, body.ToString());
        body.GetProperty("errors").GetProperty("file[1]").ToString().ShouldContain("notes.txt");

        var (noDefinition, _) = await fixture.UploadAsync(("plain.json", Encoding.UTF8.GetBytes("[{\"_T\":\"LogPlayerPosition\"}]")));
        noDefinition.ShouldBe(400);

        var (badUrl, urlBody) = await fixture.RegisterUrlsAsync(("m1", "https://example.com/t.json"), ("m2", "ftp://example.com/t.json"), ("", "https://example.com/x"));
        badUrl.ShouldBe(400);
        urlBody.GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["matches[1]", "matches[2]"], ignoreOrder: true);

        using var text = new StringContent("match", Encoding.UTF8, "text/plain");
        using var unsupported = await fixture.Api.PostAsync(new Uri("/api/telemetry/matches", UriKind.Relative), text);
        ((int)unsupported.StatusCode).ShouldBe(415);

        (await fixture.Db.ScalarAsync("select count(*) from app.telemetry_matches")).ShouldBe(0);
        (await fixture.Db.ScalarAsync("select count(*) from app.telemetry_files")).ShouldBe(0);
    }

    [Fact]
    public async Task Url_FailsForGood_WhenTheFileIsOfAnotherMatch()
    {
        await using var server = await LoopbackServer.StartAsync((context, _) => context.Response.Body.WriteAsync(KnownMatch.Json("the-real-id")).AsTask());

        (await fixture.RegisterUrlsAsync(("registered-id", new Uri(server.BaseAddress, "/t.json").ToString()))).Status.ShouldBe(202);

        var match = await fixture.WaitMatchAsync("registered-id");
        match.GetProperty("status").GetString().ShouldBe("failed");
        match.GetProperty("error").GetString().ShouldNotBeNull().ShouldContain("the-real-id");
    }

    private static void ShouldHaveExpectedStats(JsonElement players)
    {
        players.GetArrayLength().ShouldBe(KnownMatch.Players.Count);
        foreach (var (player, e) in KnownMatch.Expected)
        {
            var p = players.EnumerateArray().Single(p => p.GetProperty("accountId").GetString() == player.AccountId);
            p.GetProperty("name").GetString().ShouldBe(player.Name);
            var actual = new ExpectedStats(
                Int(p, "kills"), Int(p, "assists"), Int(p, "DBNOs"), Num(p, "damageDealt"), Int(p, "headshotKills"), Num(p, "longestKill"),
                Int(p, "killStreaks"), Int(p, "teamKills"), Int(p, "roadKills"), Int(p, "heals"), Int(p, "boosts"), Int(p, "revives"),
                Num(p, "walkDistance"), Num(p, "rideDistance"), Num(p, "swimDistance"), Num(p, "timeSurvived"), Int(p, "vehicleDestroys"),
                Int(p, "weaponsAcquired"), p.GetProperty("winPlace").ValueKind == JsonValueKind.Null ? null : Int(p, "winPlace"), Num(p, "healAmount"));
            actual.ShouldBe(e, $"statistics of {player.Name}");
        }
    }

    private static int Int(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    private static double Num(JsonElement e, string name) => Math.Round(e.GetProperty(name).GetDouble(), 3);
}
