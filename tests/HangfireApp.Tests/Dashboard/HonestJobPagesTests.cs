using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using HangfireApp.Tests.Auth;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Dashboard;

/// <summary>
/// Hangfire's job pages tell the truth about chunks: titled by chunk and batch, a "Succeeded" job whose items failed
/// says so, a chunk waiting for its retry says "retry at …" (no red Failed state, no "ETA 0 s"), and Hangfire's
/// Retries page lists it.
/// </summary>
[Collection(DashboardTests.Name)]
public sealed partial class HonestJobPagesTests(DashboardFixture dashboard)
{
    [Fact]
    public async Task ChunkJobPage_IsTitledByChunkAndBatch_AndSaysWhenItemsFailed()
    {
        var items = Enumerable.Range(0, 8).Select(i => (object)(i < 3 ? new { fail = "always" } : new { })).ToArray();
        var batch = await dashboard.Api.SubmitAsync(new { workerType = "bench", items });
        await dashboard.Api.WaitFinalAsync(batch.Id);
        var jobId = await dashboard.Db.ScalarAsync("select hangfire_job_id::bigint from app.chunks where batch_id = @b", ("b", batch.Id));
        // The batch is final when the chunk's outcome is written, a moment before Hangfire moves its job to Succeeded.
        await Eventually.Until(() => dashboard.Db.ScalarAsync("select count(*) from hangfire.job where id = @j and statename = 'Succeeded'", ("j", jobId)),
            found => found == 1, because: "the chunk's job to be Succeeded");
        using var browser = await dashboard.SignInAsync(DashboardFixture.Viewer);

        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/jobs/details/{jobId}");

        page.Html.ShouldContain($"Chunk 0 of batch {batch.Id}");
        page.Html.ShouldContain($"class=\"chunk-job-batch-link\" href=\"/hangfire/batches/{batch.Id}\"");
        page.Html.ShouldContain("data-chunk-state=\"completed_with_failures\"");
        page.Html.ShouldContain("data-job-state=\"Succeeded\"");
        page.Html.ShouldContain("but 3 of the chunk&#39;s 8 items failed for good");
        // The lists name it the same way.
        var succeeded = await DashboardFixture.GetPageAsync(browser, "/hangfire/jobs/succeeded");
        succeeded.Html.ShouldContain($"Chunk 0 of batch {batch.Id}");
    }

    [Fact]
    public async Task AChunkWaitingForItsRetry_ShowsRetryAt_NotAFailedStateOrAZeroEta_AndIsOnTheRetriesPage()
    {
        // A host of its own whose retries wait ten minutes, so the wait can be looked at.
        var settings = EngineFixture.EngineSettings();
        settings["WorkerTypes:bench:Retry:DelaysSeconds:0"] = "600";
        foreach (var (key, value) in DashboardTestUsers.Settings())
        {
            settings[key] = value;
        }
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, settings);
        var address = DashboardTestUsers.StartOnKestrel(app);
        using var api = new HttpClient { BaseAddress = address };
        api.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
        await using var db = database.CreateDataSource();
        var items = Enumerable.Range(0, 6).Select(i => (object)(i < 2 ? new { fail = "once" } : new { })).ToArray();
        var batch = await api.SubmitAsync(new { workerType = "bench", items });
        var jobId = await Eventually.Until(() => db.ScalarAsync("""
            select coalesce(max(j.id), 0) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
            where c.batch_id = @b and j.statename = 'Scheduled'
            """, ("b", batch.Id)), id => id > 0, because: "the chunk to wait for its retry");
        using var browser = new LoginClient(address);
        (await browser.LoginAsync(DashboardFixture.Operator, DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        var job = await DashboardFixture.GetPageAsync(browser, $"/hangfire/jobs/details/{jobId}");
        job.Html.ShouldContain("Waiting for a retry: retry at ");
        job.Html.ShouldContain("for the 2 item(s) not done yet");
        (await db.ScalarAsync("select count(*) from hangfire.state where jobid = @j and name = 'Failed'", ("j", jobId))).ShouldBe(0);

        var details = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{batch.Id}");
        details.Html.ShouldContain(">waiting</span>");
        StateLabel().Match(details.Html).Groups[1].Value.ShouldBe("running"); // the engine state is unchanged
        details.Html.ShouldMatch("class=\"chunk-wait\">retry at \\d\\d:\\d\\d:\\d\\d UTC \\(in (9|10) min");
        details.Html.ShouldContain("<td class=\"batch-eta\">waiting</td>");
        details.Html.ShouldContain("1 chunk(s) wait for a retry; next retry at ");
        using var live = await browser.GetAsync($"/hangfire/batches/{batch.Id}/live");
        var json = JsonDocument.Parse(await live.Content.ReadAsStringAsync()).RootElement;
        json.GetProperty("batch").GetProperty("stateText").GetString().ShouldBe("waiting");
        json.GetProperty("batch").GetProperty("eta").GetString().ShouldBe("waiting");
        json.GetProperty("chunks")[0].GetProperty("wait").GetString()!.ShouldStartWith("retry at ");

        var retries = await DashboardFixture.GetPageAsync(browser, "/hangfire/retries");
        retries.Html.ShouldContain($"/hangfire/jobs/details/{jobId}");
    }

    [GeneratedRegex("class=\"label [^\"]+ batch-state\" data-state=\"([a-z_]+)\"")]
    private static partial Regex StateLabel();
}
