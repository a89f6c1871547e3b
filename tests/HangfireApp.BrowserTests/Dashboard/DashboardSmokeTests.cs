using HangfireApp.BrowserTests.Infrastructure;

namespace HangfireApp.BrowserTests.Dashboard;

public sealed class DashboardSmokeTests(BrowserFixture fixture) : BrowserScenario(fixture)
{
    [Fact]
    public void Dashboard_ShowsServersPage_InARealBrowser()
    {
        Browser.LoginAs(Host, "admin", "/hangfire/servers");
        Browser.WaitFor("#page-wrapper, .page-header");
        // Hangfire lists a server as MACHINE.NAME:PID, upper-cased.
        Browser.WaitUntil(driver => driver.FindElement(OpenQA.Selenium.By.CssSelector("table")).Text.Contains(".BROWSER:", StringComparison.Ordinal),
            because: "the job server 'browser' to be listed");
        Browser.Screenshot("dashboard-servers");
    }
}
