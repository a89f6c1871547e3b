using System.Text;
using HangfireApp.TestSupport.Telemetry;
using HangfireApp.Workers.Telemetry.Parsing;

namespace HangfireApp.UnitTests.Telemetry;

public sealed class TelemetryParserTests
{
    [Fact]
    public async Task Parse_GivesEveryStatistic_OfTheKnownMatch()
    {
        var match = await ParseAsync(KnownMatch.Json());

        match.Summary.MatchId.ShouldBe(KnownMatch.MatchId);
        match.Summary.MapName.ShouldBe(KnownMatch.MapName);
        match.Summary.Mode.ShouldBe(KnownMatch.Mode);
        match.Summary.TeamSize.ShouldBe(2);
        match.Summary.DurationSeconds.ShouldBe(KnownMatch.DurationSeconds);
        match.Summary.Players.ShouldBe(6);
        ShouldHaveExpectedStats(match);
    }

    [Fact]
    public async Task Parse_ReadsGzip_SniffedFromItsMagicBytes()
    {
        var match = await ParseAsync(KnownMatch.Gzip());

        match.Summary.Bytes.ShouldBe(KnownMatch.Json().Length);
        ShouldHaveExpectedStats(match);
    }

    [Fact]
    public async Task Parse_GivesTheSameStatistics_WhenTheStreamYieldsOneByteAtATime()
    {
        await using var trickle = new TrickleStream(KnownMatch.Json());
        var match = await TelemetryParser.ParseAsync(trickle, CancellationToken.None);

        ShouldHaveExpectedStats(match);
    }

    [Fact]
    public async Task Parse_FailsWithOffsetAndEventIndex_WhenTheFileIsTruncated()
    {
        var json = KnownMatch.Json();
        var cut = json.AsSpan(0, json.Length / 2).ToArray();

        var error = await Should.ThrowAsync<TelemetryFormatException>(() => ParseAsync(cut));

        error.Retryable.ShouldBeFalse();
        error.EventIndex.ShouldBeGreaterThan(10);
        error.ByteOffset.ShouldBeInRange(cut.Length - 2_000, cut.Length);
        error.Message.ShouldContain($"byte offset {error.ByteOffset}");
        error.Message.ShouldContain($"event index {error.EventIndex}");
    }

    [Fact]
    public async Task Parse_Fails_WhenTheGzipFileIsTruncated()
    {
        var gzip = KnownMatch.Gzip();

        var error = await Should.ThrowAsync<TelemetryFormatException>(() => ParseAsync(gzip.AsSpan(0, gzip.Length * 2 / 3).ToArray()));

        error.Retryable.ShouldBeFalse();
        error.Message.ShouldContain("event index");
    }

    [Fact]
    public async Task Parse_PointsAtTheBadByte_WhenAnEventIsMalformed()
    {
        var json = Encoding.UTF8.GetString(KnownMatch.Json());
        var at = json.IndexOf("\"_T\":\"LogVehicleDestroy\"", StringComparison.Ordinal);
        var broken = json[..at] + "\"_T\" \"LogVehicleDestroy\"" + json[(at + "\"_T\":\"LogVehicleDestroy\"".Length)..];

        var error = await Should.ThrowAsync<TelemetryFormatException>(() => ParseAsync(Encoding.UTF8.GetBytes(broken)));

        error.ByteOffset.ShouldBeInRange(at, at + 10);
        var eventsBefore = json[..at].Split("\"_T\":").Length - 1;
        error.EventIndex.ShouldBe(eventsBefore); // the first event has no leading _T (it ends with it), so this counts events before
    }

    [Theory]
    [InlineData("{\"_T\":\"LogMatchStart\"}", "expected a JSON array")]
    [InlineData("[1,2]", "an event must be a JSON object")]
    [InlineData("[{\"_T\":\"LogHeal\"}] trailing", "unexpected data after the event array")]
    [InlineData("", "the file is empty")]
    [InlineData("[{\"_T\":\"LogHeal\"},", "(event index 1)")]
    public async Task Parse_Refuses_WhatIsNotAnEventArray(string text, string problem)
    {
        var error = await Should.ThrowAsync<TelemetryFormatException>(() => ParseAsync(Encoding.UTF8.GetBytes(text)));

        error.Message.ShouldContain(problem);
    }

    [Fact]
    public async Task Parse_AcceptsAnEmptyArray_WithABomAndTrailingWhitespace()
    {
        var match = await ParseAsync([0xEF, 0xBB, 0xBF, .. "[ ]\n\n"u8]);

        match.Summary.Events.ShouldBe(0);
        match.Players.ShouldBeEmpty();
    }

    [Fact]
    public async Task Parse_ReadsARealisticMatch_AcrossManyBufferRefills()
    {
        var gzip = MatchGenerator.Gzip(7, out var events, out var bytes);

        var match = await ParseAsync(gzip);

        match.Summary.Events.ShouldBe(events);
        match.Summary.Bytes.ShouldBe(bytes);
        bytes.ShouldBeGreaterThan(TelemetryParser.InitialBufferBytes * 10);
        match.Summary.Players.ShouldBe(100);
        match.Players.Sum(p => p.Stats.Kills).ShouldBeGreaterThan(50);
        match.Players.ShouldAllBe(p => p.Stats.WinPlace >= 1);
        match.Players.ShouldContain(p => p.Stats.WinPlace == 1);
    }

    [Fact]
    public async Task Parse_StopsACompressionBomb_AtTheJsonLimit()
    {
        var bomb = KnownMatch.Compress(Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Repeat("{\"_T\":\"LogHeal\",\"healAmount\":1}", 100_000)) + "]"));
        await using var stream = new MemoryStream(bomb);

        var error = await Should.ThrowAsync<TelemetryFormatException>(() => TelemetryParser.ParseAsync(stream, maxJsonBytes: 1_000_000, CancellationToken.None));

        error.Message.ShouldContain("more than 1000000 bytes of JSON");
    }

    [Fact]
    public async Task Parse_Refuses_ANumberOutOfRange()
    {
        var error = await Should.ThrowAsync<TelemetryFormatException>(() =>
            ParseAsync(Encoding.UTF8.GetBytes("[{\"_T\":\"LogHeal\"},{\"_T\":\"LogHeal\",\"healAmount\":1e400}]")));

        error.EventIndex.ShouldBe(1);
    }

    [Fact]
    public async Task Parse_KeepsAPlayer_WhoseNameHasANul()
    {
        var json = "[{\"_T\":\"LogPlayerPosition\",\"character\":{\"name\":\"bad\\u0000name\",\"teamId\":1,\"accountId\":\"account.\\u0000x\"}}]";

        var match = await ParseAsync(Encoding.UTF8.GetBytes(json));

        var player = match.Players.ShouldHaveSingleItem();
        player.Name.ShouldBe("bad\uFFFDname");
        player.AccountId.ShouldBe("account.\uFFFDx");
    }

    [Fact]
    public async Task Parse_FailsClearly_OnALoneSurrogateEscape()
    {
        var json = "[{\"_T\":\"LogPlayerPosition\",\"character\":{\"name\":\"bad\\ud800\",\"accountId\":\"account.x\"}}]";

        var error = await Should.ThrowAsync<TelemetryFormatException>(() => ParseAsync(Encoding.UTF8.GetBytes(json)));

        error.EventIndex.ShouldBe(0);
        error.Message.ShouldContain("surrogate");
    }

    [Fact]
    public async Task Parse_SkipsAnUnknownObject_InsideALocation()
    {
        // A one-letter property that is not an axis used to be read as a number without skipping its value, so the
        // nested object closed the location early and the file failed as malformed.
        var json = """
            [{"_T":"LogPlayerPosition","character":{"name":"a","teamId":1,"location":{"w":{"q":1},"x":1.5,"y":2,"z":3},"accountId":"account.a","ranking":0},"elapsedTime":5}]
            """;

        var match = await ParseAsync(Encoding.UTF8.GetBytes(json));

        match.Summary.Events.ShouldBe(1);
        match.Players.ShouldHaveSingleItem().AccountId.ShouldBe("account.a");
    }

    [Theory]
    [InlineData("\"damage\":{\"amount\":5}")]
    [InlineData("\"damageReason\":[\"HeadShot\"]")]
    [InlineData("\"killerDamageInfo\":{\"distance\":{\"cm\":1},\"damageReason\":{\"why\":\"HeadShot\"}}")]
    [InlineData("\"vehicle\":{\"vehicleType\":{\"t\":\"TransportAircraft\"}}")]
    [InlineData("\"character\":{\"name\":\"a\",\"teamId\":[1],\"accountId\":\"account.a\"}")]
    public async Task Parse_SkipsAContainer_WhereANumberOrStringBelongs(string property)
    {
        var json = $$$"""
            [{"_T":"LogPlayerTakeDamage",{{{property}}},"attacker":{"name":"b","teamId":2,"accountId":"account.b"},"elapsedTime":1},
             {"_T":"LogPlayerPosition","character":{"name":"c","teamId":3,"accountId":"account.c"}}]
            """;

        var match = await ParseAsync(Encoding.UTF8.GetBytes(json));

        match.Summary.Events.ShouldBe(2);
        match.Players.ShouldContain(p => p.AccountId == "account.b");
        match.Players.ShouldContain(p => p.AccountId == "account.c");
    }

    [Theory]
    [InlineData("""{"subCategory":"Heal","category":"Weapon"}""", 1, 0, 0)]
    [InlineData("""{"category":"Weapon","subCategory":"Heal"}""", 1, 0, 0)]
    [InlineData("""{"subCategory":"Heal","category":"Use"}""", 0, 1, 0)]
    [InlineData("""{"category":"Use","itemId":"Item_Boost_EnergyDrink_C","subCategory":"Boost"}""", 0, 0, 1)]
    [InlineData("""{"category":"Use","subCategory":{"nested":"Heal"}}""", 0, 0, 0)]
    public async Task Parse_ClassifiesAnItem_ByCategoryThenSubCategory_InEitherOrder(string item, int weapons, int heals, int boosts)
    {
        var character = """{"name":"a","teamId":1,"accountId":"account.a"}""";
        var json = $$$"""
            [{"_T":"LogItemPickup","character":{{{character}}},"item":{{{item}}}},
             {"_T":"LogItemUse","character":{{{character}}},"item":{{{item}}}}]
            """;

        var match = await ParseAsync(Encoding.UTF8.GetBytes(json));

        var stats = match.Players.ShouldHaveSingleItem().Stats;
        stats.WeaponsAcquired.ShouldBe(weapons);
        stats.Heals.ShouldBe(heals);
        stats.Boosts.ShouldBe(boosts);
    }

    private static async Task<MatchAggregate> ParseAsync(byte[] bytes)
    {
        await using var stream = new MemoryStream(bytes);
        return await TelemetryParser.ParseAsync(stream, CancellationToken.None);
    }

    private static void ShouldHaveExpectedStats(MatchAggregate match)
    {
        match.Players.Count.ShouldBe(KnownMatch.Players.Count);
        foreach (var (player, expected) in KnownMatch.Expected)
        {
            var state = match.Players.Single(p => p.AccountId == player.AccountId);
            state.Name.ShouldBe(player.Name);
            state.TeamId.ShouldBe(player.TeamId);
            var s = state.Stats;
            var actual = new ExpectedStats(s.Kills, s.Assists, s.DBNOs, Math.Round(s.DamageDealt, 3), s.HeadshotKills, Math.Round(s.LongestKill, 3),
                s.KillStreaks, s.TeamKills, s.RoadKills, s.Heals, s.Boosts, s.Revives, Math.Round(s.WalkDistance, 3), Math.Round(s.RideDistance, 3),
                Math.Round(s.SwimDistance, 3), Math.Round(s.TimeSurvived, 3), s.VehicleDestroys, s.WeaponsAcquired, s.WinPlace, Math.Round(s.HealAmount, 3));
            actual.ShouldBe(expected, $"statistics of {player.Name}");
        }
    }

    /// <summary>Returns at most one byte per read: every event is cut by the end of the buffer somewhere.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(1, buffer.Length)], cancellationToken);
    }
}
