using System.Net;
using Hangfire;
using Hangfire.Common;
using Hangfire.States;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

[Collection(AuthTests.Name)]
public sealed class LoginTests(AuthFixture fixture)
{
    [Fact]
    public async Task Dashboard_RedirectsAnonymousUsers_ToTheLoginPage()
    {
        using var client = fixture.Client();
        using var response = await client.GetAsync("/hangfire/jobs/failed");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldEndWith("/account/login?ReturnUrl=%2Fhangfire%2Fjobs%2Ffailed");
    }

    [Fact]
    public async Task Login_WithTheRightPassword_OpensTheDashboard_AndReturnsToWhereTheUserWasGoing()
    {
        using var client = fixture.Client("198.51.100.10");
        using var login = await client.LoginAsync("vera", DashboardTestUsers.Password, "/hangfire/servers");
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().ShouldBe("/hangfire/servers");
        using var dashboard = await client.GetAsync("/hangfire/servers");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await dashboard.Content.ReadAsStringAsync()).ShouldContain("Sign out (vera)");
    }

    [Fact]
    public async Task Login_UserNamesAreCaseInsensitive_AndTheCookieCarriesTheConfiguredName()
    {
        using var client = fixture.Client("198.51.100.11");
        using var login = await client.LoginAsync("OTTO", DashboardTestUsers.Password);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var dashboard = await client.GetAsync("/hangfire");
        (await dashboard.Content.ReadAsStringAsync()).ShouldContain("Sign out (otto)");
    }

    [Fact]
    public async Task Login_WithAWrongPassword_Is401_AndSetsNoLoginCookie()
    {
        using var client = fixture.Client("198.51.100.12");
        using var login = await client.LoginAsync("ada", "wrong password");
        login.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await login.Content.ReadAsStringAsync()).ShouldContain("Wrong user name or password.");
        client.Cookies.GetAllCookies().Select(cookie => cookie.Name).ShouldNotContain(".HangfireApp.Auth");
        using var dashboard = await client.GetAsync("/hangfire");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Login_ForAnUnknownUser_LooksLikeAWrongPassword()
    {
        using var client = fixture.Client("198.51.100.13");
        using var login = await client.LoginAsync("mallory", DashboardTestUsers.Password);
        login.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await login.Content.ReadAsStringAsync()).ShouldContain("Wrong user name or password.");
    }

    [Fact]
    public async Task Login_WithoutTheAntiforgeryToken_IsRefused()
    {
        using var client = fixture.Client("198.51.100.14");
        await client.FormTokenAsync();
        using var response = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["username"] = "ada", ["password"] = DashboardTestUsers.Password }),
        });
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        client.Cookies.GetAllCookies().Select(cookie => cookie.Name).ShouldNotContain(".HangfireApp.Auth");
    }

    [Fact]
    public async Task Login_WithAnEmptyUserName_Is400_NamingTheField()
    {
        using var client = fixture.Client("198.51.100.15");
        using var response = await client.LoginAsync("", "x");
        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).ShouldContain("username");
    }

    [Theory]
    [InlineData("https://evil.example/")]
    [InlineData("//evil.example/")]
    [InlineData("/\\evil.example/")]
    public async Task Login_NeverRedirectsToAnotherSite(string returnUrl)
    {
        using var client = fixture.Client("198.51.100.16");
        using var login = await client.LoginAsync("vera", DashboardTestUsers.Password, returnUrl);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        login.Headers.Location!.ToString().ShouldBe("/hangfire");
    }

    [Fact]
    public async Task Logout_EndsTheSession_AndIsAudited()
    {
        using var client = fixture.Client("198.51.100.17");
        (await client.LoginAsync("vera", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (field, token) = await client.FormTokenAsync("/account/logout");
        using var logout = await client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/logout")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [field] = token }),
        });
        logout.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using var dashboard = await client.GetAsync("/hangfire");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await fixture.Db.ScalarAsync("select count(*) from app.audit_log where actor = 'vera' and action = 'dashboard.logout'")).ShouldBeGreaterThanOrEqualTo(1);
        (await fixture.Db.ScalarAsync("select count(*) from app.audit_log where actor = 'vera' and action = 'dashboard.login'")).ShouldBeGreaterThanOrEqualTo(1);
    }

    [Fact]
    public async Task ViewerCommand_IsRefused_OperatorCommand_IsCarriedOutAndAudited()
    {
        var jobs = fixture.App.Service<IBackgroundJobClient>();
        var jobId = jobs.Create(Job.FromExpression(() => System.Console.WriteLine("audited delete")), new ScheduledState(TimeSpan.FromDays(1)));

        using var viewer = fixture.Client("198.51.100.18");
        (await viewer.LoginAsync("vera", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var (header, token) = await viewer.DashboardTokenAsync();
        using (var refused = await viewer.SendAsync(DeleteCommand(jobId, header, token)))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        StateOf(jobId).ShouldBe(ScheduledState.StateName);

        using var operatorClient = fixture.Client("198.51.100.19");
        (await operatorClient.LoginAsync("otto", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        using (var noToken = await operatorClient.SendAsync(DeleteCommand(jobId, header: null, token: null)))
        {
            noToken.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        StateOf(jobId).ShouldBe(ScheduledState.StateName);
        (header, token) = await operatorClient.DashboardTokenAsync();
        using (var done = await operatorClient.SendAsync(DeleteCommand(jobId, header, token)))
        {
            done.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        StateOf(jobId).ShouldBe(DeletedState.StateName);
        (await fixture.Db.ScalarAsync(
            "select count(*) from app.audit_log where actor = 'otto' and action = 'hangfire.jobs.scheduled.delete' and target = @target",
            ("target", $"job:{jobId}"))).ShouldBe(1);
        (await fixture.Db.ScalarAsync("select count(*) from app.audit_log where actor = 'vera' and action like 'hangfire.%'")).ShouldBe(0);
    }

    private static HttpRequestMessage DeleteCommand(string jobId, string? header, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/hangfire/jobs/scheduled/delete")
        {
            Content = new FormUrlEncodedContent([new KeyValuePair<string, string>("jobs[]", jobId)]),
        };
        if (header is not null)
        {
            request.Headers.Add(header, token);
        }
        return request;
    }

    private string? StateOf(string jobId)
    {
        using var connection = fixture.App.Service<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}
