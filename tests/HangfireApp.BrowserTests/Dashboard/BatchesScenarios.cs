using System.Globalization;
using HangfireApp.BrowserTests.Infrastructure;
using HangfireApp.Tests.Infrastructure;
using OpenQA.Selenium;

namespace HangfireApp.BrowserTests.Dashboard;

public sealed class BatchesScenarios(BrowserFixture fixture) : BrowserScenario(fixture)
{
    [Fact]
    public async Task RunningBatch_ShowsAdvancingProgress_WithoutReloadingThePage()
    {
        // 200 items of 300 ms, 20 chunks, 4 workers with 4 items in flight each: about 4 s of work.
        var id = await SubmitAsync(new { workerType = "bench", description = "advancing progress", items = Enumerable.Repeat(new { delayMs = 300 }, 200).ToArray() });

        Browser.LoginAs(Host, "operator", $"/hangfire/batches/{id}");
        Browser.WaitFor("#batch-details .batch-progress");
        // A marker on the window: it survives updates in place and would vanish with a reload.
        Script("window.batchesScenarioMarker = 42;");
        Browser.WaitUntil(_ => Percent() is > 0 and < 100, because: "progress between 0 and 100%");
        var midway = Percent()!.Value;
        Browser.Screenshot("batch-details-running");
        Browser.Driver.FindElement(By.CssSelector("#action-cancel")).Displayed.ShouldBeTrue("a running batch can be cancelled");
        Browser.Driver.FindElement(By.CssSelector("#action-rerun-all")).Displayed.ShouldBeFalse("a running batch cannot be rerun");
        Browser.WaitUntil(_ => Percent() > midway, because: "progress to advance");
        var later = Percent()!.Value;
        Browser.WaitUntil(driver => driver.FindElement(By.CssSelector("#batch-details h1 .batch-state")).GetAttribute("data-state") == "succeeded",
            TimeSpan.FromSeconds(40), "the batch to succeed");

        later.ShouldBeGreaterThan(midway);
        Percent().ShouldBe(100);
        Text("#batch-summary .batch-succeeded").ShouldBe("200");
        Convert.ToInt64(Script("return window.batchesScenarioMarker;"), CultureInfo.InvariantCulture).ShouldBe(42, "the page updated in place");
        Browser.Has("#action-cancel").ShouldBeTrue();
        Browser.WaitUntil(driver => !driver.FindElement(By.CssSelector("#action-cancel")).Displayed, because: "Cancel to hide once the batch is final");
        Browser.Driver.FindElement(By.CssSelector("#action-rerun-all")).Displayed.ShouldBeTrue("a final batch can be rerun");
        Browser.Screenshot("batch-details-succeeded");

        Browser.Open(Host.Url("/hangfire/batches"));
        var row = Browser.WaitFor($"#batches-table tr.batch-row[data-batch-id='{id}']");
        row.FindElement(By.CssSelector(".batch-state")).GetAttribute("data-state").ShouldBe("succeeded");
        Browser.Screenshot("batches-list");
    }

    [Fact]
    public async Task Operator_RerunsFailedItems_AndTheBatchCompletes()
    {
        // Items 0-2 fail both attempts of the first run and succeed on the third attempt, i.e. in the rerun.
        var items = Enumerable.Range(0, 8).Select(i => (object)new { fail = i < 3 ? "before:3" : "never" }).ToArray();
        var id = await SubmitAsync(new { workerType = "bench", description = "rerun scenario", items });
        await Eventually.Until(() => StateAsync(id), state => state == "completed_with_failures", TimeSpan.FromSeconds(30), "the first run to end with failures");

        Browser.LoginAs(Host, "operator", $"/hangfire/batches/{id}");
        Browser.WaitFor("#batch-errors .error-group");
        Text("#batch-errors .error-count").ShouldBe("3");
        Browser.Screenshot("batch-details-with-failures");
        Browser.WaitFor("#action-rerun-failed").Click();
        Browser.WaitUntil(driver => driver.SwitchTo().Alert()).Accept();

        Browser.WaitUntil(driver => driver.FindElement(By.CssSelector("#batch-details h1 .batch-state")).GetAttribute("data-state") == "succeeded",
            TimeSpan.FromSeconds(40), "the rerun to make the batch succeed");
        Text("#batch-summary .batch-run").ShouldBe("2");
        Text("#batch-summary .batch-succeeded").ShouldBe("8");
        Text("#batch-summary .batch-failed").ShouldBe("0");
        (await StateAsync(id)).ShouldBe("succeeded");
        Browser.Screenshot("batch-details-after-rerun");
    }

    private double? Percent()
    {
        var text = Text("#batch-summary .batch-progress-text").TrimEnd('%');
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) ? percent : null;
    }

    private string Text(string cssSelector) => Browser.Driver.FindElement(By.CssSelector(cssSelector)).Text.Trim();

    private object? Script(string script) => ((IJavaScriptExecutor)Browser.Driver).ExecuteScript(script);
}
