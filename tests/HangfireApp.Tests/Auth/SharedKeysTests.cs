using System.Net;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

/// <summary>Several hosts on one database share the data-protection key ring, so a login made on one works on all.</summary>
public sealed class SharedKeysTests
{
    private static Dictionary<string, string?> WebHost(string? pathBase = null)
    {
        var settings = DashboardTestUsers.Settings();
        settings["App:Role"] = "web";
        settings["App:ForwardedHeaders:Enabled"] = "true";
        if (pathBase is not null)
        {
            settings["App:PathBase"] = pathBase;
        }
        return settings;
    }

    [Fact]
    public async Task LoginCookieAndAntiforgeryToken_FromOneHost_AreAcceptedByAnotherOnTheSameDatabase_NotByAForeignOne()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var first = new AppFactory(database, WebHost());
        await using var second = new AppFactory(database, WebHost());
        var firstAddress = DashboardTestUsers.StartOnKestrel(first);
        var secondAddress = DashboardTestUsers.StartOnKestrel(second);

        // The login form comes from the first host, is posted to the second: the antiforgery token must validate there.
        using var onFirst = new LoginClient(firstAddress);
        var (field, token) = await onFirst.FormTokenAsync();
        using var onSecond = new LoginClient(secondAddress, onFirst.Cookies);
        CopyCookies(onFirst.Cookies, firstAddress, secondAddress);
        using var login = await onSecond.SendAsync(new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [field] = token, ["username"] = "ada", ["password"] = DashboardTestUsers.Password }),
        });
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect, await login.Content.ReadAsStringAsync());

        // The login cookie the second host issued opens the dashboard on the first.
        CopyCookies(onFirst.Cookies, secondAddress, firstAddress);
        using var dashboard = await onFirst.GetAsync("/hangfire");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await dashboard.Content.ReadAsStringAsync()).ShouldContain("Sign out (ada)");
        (await database.CreateDataSource().ScalarAsync("select count(*) from app.data_protection_keys")).ShouldBe(1, "both hosts use the one key in the database");

        // A host on another database has other keys: the same cookie means nothing there.
        await using var otherDatabase = await TestDatabase.CreateAsync();
        await using var foreign = new AppFactory(otherDatabase, WebHost());
        var foreignAddress = DashboardTestUsers.StartOnKestrel(foreign);
        CopyCookies(onFirst.Cookies, firstAddress, foreignAddress);
        using var onForeign = new LoginClient(foreignAddress, onFirst.Cookies);
        using var refused = await onForeign.GetAsync("/hangfire");
        refused.StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task BehindAProxy_PathBaseAndForwardedProto_ShapeRedirectsLinksAndCookies()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, WebHost("/jobs"));
        var address = DashboardTestUsers.StartOnKestrel(app);
        using var client = new LoginClient(address);

        using (var anonymous = await client.GetAsync("/jobs/hangfire"))
        {
            anonymous.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            anonymous.Headers.Location!.ToString().ShouldEndWith("/jobs/account/login?ReturnUrl=%2Fjobs%2Fhangfire");
        }
        using (var login = await client.LoginAsync("otto", DashboardTestUsers.Password, "/jobs/hangfire", loginPath: "/jobs/account/login"))
        {
            login.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            login.Headers.Location!.ToString().ShouldBe("/jobs/hangfire");
        }
        using (var dashboard = await client.GetAsync("/jobs/hangfire"))
        {
            dashboard.StatusCode.ShouldBe(HttpStatusCode.OK);
            var html = await dashboard.Content.ReadAsStringAsync();
            html.ShouldContain("href=\"/jobs/hangfire/servers\"");
            html.ShouldContain("href=\"/jobs/account/logout\"");
        }

        // TLS ends at the proxy: X-Forwarded-Proto makes the login cookie Secure.
        using var tls = new LoginClient(address) { ForwardedFor = "192.0.2.50" };
        var (field, token) = await tls.FormTokenAsync("/jobs/account/login");
        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { [field] = token, ["username"] = "otto", ["password"] = DashboardTestUsers.Password }),
        };
        request.Headers.Add("X-Forwarded-Proto", "https");
        using var secure = await tls.SendAsync(request);
        secure.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        secure.Headers.GetValues("Set-Cookie").Single(cookie => cookie.StartsWith(".HangfireApp.Auth=", StringComparison.Ordinal))
            .ShouldContain("secure", Case.Insensitive);
        (await database.CreateDataSource().ScalarAsync(
            "select count(*) from app.audit_log where action = 'dashboard.login' and details->>'address' = '192.0.2.50'")).ShouldBe(1);
    }

    /// <summary>Cookies are per host:port; two hosts behind one name share them, as these tests' client must.</summary>
    internal static void CopyCookies(CookieContainer cookies, Uri from, Uri to)
    {
        foreach (Cookie cookie in cookies.GetCookies(from))
        {
            cookies.Add(to, new Cookie(cookie.Name, cookie.Value, "/"));
        }
    }
}
