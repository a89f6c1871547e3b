using HangfireApp.BrowserTests.Infrastructure;
using HangfireApp.Tests.Infrastructure;
using OpenQA.Selenium;

namespace HangfireApp.BrowserTests.Dashboard;

/// <summary>The operations pieces of the dashboard in a real browser: the pause button, the charts, the honest chunk page.</summary>
public sealed class OperationsScenarios(BrowserFixture fixture) : BrowserScenario(fixture)
{
    [Fact]
    public async Task Operator_PausesAWorkerType_ItsChunksWait_AndResumeRunsThem()
    {
        Browser.LoginAs(Host, "operator", "/hangfire/worker-types");
        try
        {
            Browser.WaitFor("tr.worker-type-row[data-worker-type='bench'] .worker-type-pause").Click();
            Browser.WaitUntil(driver => driver.SwitchTo().Alert()).Accept();
            Browser.WaitFor("tr.worker-type-row[data-worker-type='bench'] .worker-type-paused[data-paused='true']");
            Browser.Screenshot("worker-types-paused");

            var id = await SubmitAsync(new { workerType = "bench", description = "paused", items = Enumerable.Repeat(new { }, 20).ToArray() });
            await Eventually.Until(() => ScalarAsync("""
                select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
                where c.batch_id = @id and c.state = 'queued' and j.statename = 'Scheduled'
                """, id), count => count == 2, because: "both chunks to wait for the resume");

            Browser.WaitFor("tr.worker-type-row[data-worker-type='bench'] .worker-type-resume").Click();
            Browser.WaitUntil(driver => driver.SwitchTo().Alert()).Accept();
            Browser.WaitFor("tr.worker-type-row[data-worker-type='bench'] .worker-type-paused[data-paused='false']");
            await Eventually.Until(() => StateAsync(id), state => state == "succeeded", TimeSpan.FromSeconds(30), "the batch to run after the resume");
            (await ScalarAsync("select count(*) from app.audit_log where action = 'worker_type.pause' and actor = @id::text", 0, TestUsers.Operator.Name)).ShouldBe(1);
        }
        finally
        {
            using var resume = await Host.Api.PostAsync(new Uri("api/worker-types/bench/resume", UriKind.Relative), null);
        }
    }

    [Fact]
    public async Task WorkerTypesPage_ChartsItemsPerSecond_FromTheMinuteRollup()
    {
        var id = await SubmitAsync(new { workerType = "bench", description = "for the chart", items = Enumerable.Repeat(new { }, 30).ToArray() });
        await Eventually.Until(() => StateAsync(id), state => state == "succeeded", TimeSpan.FromSeconds(30), "the batch to finish");
        await Eventually.Until(() => ScalarAsync("select coalesce(sum(succeeded), 0) from app.throughput_minutes where worker_type = 'bench'", 0),
            count => count >= 30, TimeSpan.FromSeconds(30), "the rollup to hold the batch's items");

        Browser.LoginAs(Host, "viewer", "/hangfire/worker-types");
        var line = Browser.WaitFor("#chart-throughput svg polyline[data-series='bench']");
        var points = line.GetAttribute("points")!.Split(' ');
        points.Length.ShouldBe(60, "one point per minute of the last hour");
        // Some minute is above the zero line: the batch's items per second.
        var baseline = points.Select(point => double.Parse(point.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).Max();
        points.ShouldContain(point => double.Parse(point.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture) < baseline);
        Browser.Has("#chart-failures svg").ShouldBeTrue();
        Browser.Has("#chart-queue-depth svg").ShouldBeTrue();
        Browser.Has(".worker-type-pause").ShouldBeFalse("a viewer gets no control buttons");
        Browser.Screenshot("worker-types-charts");
    }

    [Fact]
    public async Task ChunkJobPage_SaysItsItemsFailed_AndLinksToItsBatch()
    {
        var items = Enumerable.Range(0, 6).Select(i => (object)(i < 2 ? new { fail = "always" } : new { })).ToArray();
        var id = await SubmitAsync(new { workerType = "bench", description = "honest page", items });
        await Eventually.Until(() => StateAsync(id), state => state == "completed_with_failures", TimeSpan.FromSeconds(30), "the batch to end with failures");
        var jobId = await ScalarAsync("select hangfire_job_id::bigint from app.chunks where batch_id = @id", id);
        // The batch is final when the chunk's outcome is written, a moment before Hangfire moves its job to Succeeded.
        await Eventually.Until(() => ScalarAsync("select count(*) from hangfire.job where id = @id and statename = 'Succeeded'", jobId),
            found => found == 1, TimeSpan.FromSeconds(30), "the chunk's job to be Succeeded");

        Browser.LoginAs(Host, "viewer", $"/hangfire/jobs/details/{jobId}");
        var summary = Browser.WaitFor("#chunk-job-summary");
        summary.GetAttribute("data-chunk-state").ShouldBe("completed_with_failures");
        summary.GetAttribute("data-job-state").ShouldBe("Succeeded");
        summary.FindElement(By.CssSelector(".chunk-job-title")).Text.ShouldBe($"Chunk 0 of batch {id}");
        summary.FindElement(By.CssSelector(".chunk-job-explain")).Text.ShouldContain("2 of the chunk's 6 items failed for good");
        summary.GetAttribute("class")!.ShouldContain("alert-warning");
        Browser.Screenshot("chunk-job-page-with-failures");

        summary.FindElement(By.CssSelector(".chunk-job-batch-link")).Click();
        Browser.WaitUntil(_ => Browser.CurrentPath == $"/hangfire/batches/{id}", because: "the link to lead to the batch");
        Browser.WaitFor("#batch-details");
    }

    private async Task<long> ScalarAsync(string sql, long id, string? text = null)
    {
        await using var command = Host.Db.CreateCommand(sql);
        command.Parameters.AddWithValue("id", text is null ? id : text);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
