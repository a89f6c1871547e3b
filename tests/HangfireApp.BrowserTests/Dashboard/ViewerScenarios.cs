using HangfireApp.BrowserTests.Infrastructure;
using OpenQA.Selenium;

namespace HangfireApp.BrowserTests.Dashboard;

public sealed class ViewerScenarios(BrowserFixture fixture) : BrowserScenario(fixture)
{
    // Hangfire's requeue/delete buttons: on job lists (js-jobs-list-command) and on a job's page (data-ajax).
    private const string ActionButtons = "button.js-jobs-list-command, button[data-ajax]";

    [Fact]
    public void Viewer_SeesNoRequeueOrDeleteButtons_WhereAnOperatorDoes()
    {
        var jobId = HangfireJobs.CreateFailed(Host, "viewer scenario");
        HangfireJobs.StateOf(Host, jobId).ShouldBe("Failed");

        Browser.LoginAs(Host, "operator", $"/hangfire/jobs/details/{jobId}");
        Browser.WaitFor("button[data-ajax]");
        Browser.Screenshot("operator-job-details-with-actions");

        Browser.LoginAs(Host, "viewer", "/hangfire/jobs/failed");
        Browser.WaitFor($"a[href$='/jobs/details/{jobId}']");
        Browser.Driver.FindElements(By.CssSelector(ActionButtons)).ShouldBeEmpty();
        Browser.Screenshot("viewer-failed-jobs-read-only");

        Browser.Open(Host.Url($"/hangfire/jobs/details/{jobId}"));
        Browser.WaitFor(".job-snippet, .page-header");
        Browser.Driver.FindElements(By.CssSelector(ActionButtons)).ShouldBeEmpty();
        Browser.Screenshot("viewer-job-details-read-only");
    }

    [Fact]
    public void Viewer_ForgedDeletePost_IsRefused_AndChangesNothing()
    {
        var jobId = HangfireJobs.CreateFailed(Host, "forged post scenario");
        Browser.LoginAs(Host, "viewer", $"/hangfire/jobs/details/{jobId}");
        Browser.WaitFor(".page-header");

        // A forged POST from the viewer's own page, once with the page's antiforgery token and once without.
        var script = """
            const done = arguments[arguments.length - 1];
            const header = document.querySelector('meta[name="csrf-header"]').content;
            const token = document.querySelector('meta[name="csrf-token"]').content;
            const post = headers => fetch(arguments[0], { method: 'POST', headers, credentials: 'same-origin' }).then(r => r.status);
            Promise.all([post({ [header]: token }), post({})]).then(done, e => done(String(e)));
            """;
        var statuses = ((IJavaScriptExecutor)Browser.Driver).ExecuteAsyncScript(script, Host.Url($"/hangfire/jobs/actions/delete/{jobId}").ToString());
        var codes = ((IEnumerable<object>)statuses!).Select(code => Convert.ToInt32(code, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        codes[0].ShouldBe(401, "Hangfire's read-only mode refuses a viewer's command even with a valid token");
        codes[1].ShouldBe(403, "a POST without the antiforgery token is refused before any command runs");
        HangfireJobs.StateOf(Host, jobId).ShouldBe("Failed");
        Browser.Screenshot("viewer-forged-post-refused");
    }

    [Fact]
    public void Operator_DeletesAFailedJob_FromItsPage()
    {
        var jobId = HangfireJobs.CreateFailed(Host, "operator delete scenario");
        Browser.LoginAs(Host, "operator", $"/hangfire/jobs/details/{jobId}");
        var delete = Browser.WaitUntil(driver => driver.FindElements(By.CssSelector("button[data-ajax]"))
            .FirstOrDefault(button => button.GetAttribute("data-ajax")!.Contains("/jobs/actions/delete/", StringComparison.Ordinal)));
        delete.Click();
        // Hangfire asks for confirmation in a browser dialog.
        Browser.WaitUntil(driver => driver.SwitchTo().Alert()).Accept();
        Browser.WaitUntil(_ => HangfireJobs.StateOf(Host, jobId) == "Deleted", because: "the job to be deleted");
        Browser.Screenshot("operator-deleted-job");
    }
}
