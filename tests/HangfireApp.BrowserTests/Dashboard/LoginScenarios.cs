using HangfireApp.BrowserTests.Infrastructure;
using OpenQA.Selenium;

namespace HangfireApp.BrowserTests.Dashboard;

public sealed class LoginScenarios(BrowserFixture fixture) : BrowserScenario(fixture)
{
    [Fact]
    public void Dashboard_RedirectsAnonymousBrowser_ToTheLoginPage()
    {
        Browser.Driver.Manage().Cookies.DeleteAllCookies();
        Browser.Open(Host.Url("/hangfire/jobs/failed"));
        Browser.WaitFor("form#login");
        Browser.CurrentPath.ShouldBe("/account/login");
        new Uri(Browser.Driver.Url).Query.ShouldContain(Uri.EscapeDataString("/hangfire/jobs/failed"));
        Browser.Screenshot("login-page");
    }

    [Fact]
    public void Login_FailsWithAWrongPassword_AndSucceedsWithTheRightOne()
    {
        var user = TestUsers.Operator;
        Browser.SubmitLogin(Host, user.Name, "not-the-password");
        Browser.WaitFor(".alert-danger").Text.ShouldContain("Wrong user name or password");
        Browser.CurrentPath.ShouldBe("/account/login");
        Browser.Driver.Manage().Cookies.GetCookieNamed(".HangfireApp.Auth").ShouldBeNull();
        Browser.Screenshot("login-wrong-password");

        Browser.SubmitLogin(Host, user.Name, user.Password, "/hangfire/servers");
        Browser.WaitUntil(driver => new Uri(driver.Url).AbsolutePath == "/hangfire/servers", because: "the dashboard after signing in");
        Browser.WaitFor(".navbar").Text.ShouldContain($"Sign out ({user.Name})");
        Browser.Screenshot("login-succeeded");
    }

    [Fact]
    public void Logout_EndsTheSession()
    {
        Browser.LoginAs(Host, "viewer");
        Browser.Driver.FindElement(By.PartialLinkText("Sign out")).Click();
        Browser.WaitFor("form#logout button[type=submit]").Click();
        Browser.WaitFor("form#login");
        Browser.Open(Host.Url("/hangfire"));
        Browser.WaitFor("form#login");
        Browser.CurrentPath.ShouldBe("/account/login");
    }
}
