using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Hangfire;
using Hangfire.States;
using HangfireApp.Batches.JobOutput;
using HangfireApp.BrowserTests.Infrastructure;
using HangfireApp.Tests.Infrastructure;
using OpenQA.Selenium;

namespace HangfireApp.BrowserTests.Dashboard;

public sealed class ConsoleScenarios(BrowserFixture fixture) : BrowserScenario(fixture)
{
    [Fact]
    public async Task ChunkJobConsole_ShowsItsLinesAndProgressBar_Live()
    {
        // One chunk of 10 items of 600 ms, 4 in flight: about 2 s of work, each item writing a console line.
        using var response = await Host.Api.PostAsJsonAsync("api/batches", new
        {
            workerType = "bench", description = "console scenario",
            items = Enumerable.Range(0, 10).Select(_ => new { delayMs = 600, consoleLine = true }).ToArray(),
        });
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        var batchId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        var jobId = await Eventually.Until(() => JobIdAsync(batchId), id => id is not null, TimeSpan.FromSeconds(20), "the chunk's job");

        Browser.LoginAs(Host, "operator", $"/hangfire/jobs/details/{jobId}");
        Browser.WaitFor($"#job-console[data-job-id='{jobId}']");
        Browser.WaitUntil(_ => Lines().Any(line => line.StartsWith("Claimed chunk", StringComparison.Ordinal)), because: "the claim line");
        Browser.WaitFor(".console-progress[data-name='items']");
        // Lines arrive by polling while the job runs: the per-item lines and the summary appear without a reload.
        Browser.WaitUntil(_ => Lines().Any(line => line.Contains("succeeded, 0 failed", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(30), "the chunk's summary line");
        Lines().Count(line => line.StartsWith("Bench item", StringComparison.Ordinal)).ShouldBe(10);
        Browser.WaitUntil(_ => Browser.Driver.FindElement(By.CssSelector(".console-progress[data-name='items'] .console-progress-text")).Text.Trim() == "100%",
            because: "the items bar to reach 100%");
        Browser.Driver.FindElement(By.CssSelector(".console-section-title")).Text.ShouldStartWith("Attempt 1");
        Browser.Screenshot("job-console");
    }

    [Fact]
    public async Task ProcessingList_ShowsARunningChunksProgress()
    {
        // One chunk of 12 items of 1.5 s, 4 in flight: about 4.5 s in the Processing state.
        using var response = await Host.Api.PostAsJsonAsync("api/batches", new
        {
            workerType = "bench", description = "processing list progress", chunkSize = 12,
            items = Enumerable.Range(0, 12).Select(_ => new { delayMs = 1500 }).ToArray(),
        });
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        var batchId = JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
        var jobId = await Eventually.Until(() => JobIdAsync(batchId), id => id is not null, TimeSpan.FromSeconds(20), "the chunk's job");

        Browser.LoginAs(Host, "operator", "/hangfire/jobs/processing");
        var bar = Browser.WaitFor($".console-progress-list[data-job-id='{jobId}'] .console-progress[data-name='items']", TimeSpan.FromSeconds(15));
        bar.FindElement(By.CssSelector(".console-progress-text")).Text.ShouldEndWith("%");
        Browser.Screenshot("processing-list-progress");
    }

    [Fact]
    public async Task TenThousandLines_RenderAndTheLatestIsReachable()
    {
        var jobs = Host.App.Service<IBackgroundJobClient>();
        var jobId = jobs.Create(() => NeverRetried.Run("ten thousand lines"), new ScheduledState(TimeSpan.FromDays(1)));
        await using (var console = Host.App.Service<IJobConsoleFactory>().Open(jobId, "Many lines"))
        {
            for (var i = 1; i <= 10_000; i++)
            {
                console.WriteLine($"line {i.ToString(CultureInfo.InvariantCulture)} " + new string('x', i % 7 == 0 ? 300 : 40),
                    i % 10 == 0 ? ConsoleTextColor.Yellow : null);
            }
        }

        var stopwatch = Stopwatch.StartNew();
        Browser.LoginAs(Host, "operator", $"/hangfire/jobs/details/{jobId}");
        Browser.WaitUntil(driver => driver.FindElements(By.CssSelector("#job-console .console-line")).Count == 10_000,
            TimeSpan.FromSeconds(30), "10,000 lines on the page");
        stopwatch.Stop();
        // The page stays responsive: a script runs and scrolling to the last line works.
        var last = Script("var lines = document.querySelectorAll('#job-console .console-line'); var last = lines[lines.length - 1]; last.scrollIntoView(); return last.querySelector('.console-text').textContent;");
        ((string)last!).ShouldStartWith("line 10000 ");
        Browser.Screenshot("job-console-10000-lines");
        TestContext.Current.SendDiagnosticMessage($"10,000 console lines: page loaded and rendered in {stopwatch.ElapsedMilliseconds} ms (login redirect included)");
    }

    private async Task<string?> JobIdAsync(long batchId)
    {
        await using var command = Host.Db.CreateCommand("select hangfire_job_id from app.chunks where batch_id = @b and state = 'running'");
        command.Parameters.AddWithValue("b", batchId);
        return (string?)await command.ExecuteScalarAsync();
    }

    private List<string> Lines() =>
        [.. Browser.Driver.FindElements(By.CssSelector("#job-console .console-line .console-text")).Select(line => line.Text)];

    private object? Script(string script) => ((IJavaScriptExecutor)Browser.Driver).ExecuteScript(script);
}
