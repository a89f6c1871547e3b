using System.Net;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

public sealed class SecretLoggingTests
{
    [Fact]
    public async Task Passwords_AreNeverLogged_EvenAtTheMostVerboseLevel()
    {
        const string wrong = "Wr0ng-Pa55word-that-must-not-leak";
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["App:Role"] = "web",
            // Everything, ASP.NET Core's own request and form handling included.
            ["Serilog:MinimumLevel:Default"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft"] = "Verbose",
            ["Serilog:MinimumLevel:Override:Microsoft.AspNetCore"] = "Verbose",
        };
        foreach (var (key, value) in DashboardTestUsers.Settings())
        {
            settings[key] = value!;
        }
        await using var host = HostProcess.Start(settings);
        await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using (var client = new LoginClient(host.BaseAddress))
        {
            (await client.LoginAsync("ada", wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            (await client.LoginAsync("ada", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        // The log lines of both attempts have been written (the process flushes line by line).
        var output = await Eventually.Until(() => Task.FromResult(host.Output), text => text.Contains("signed in", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "the sign-in to be logged");
        output.ShouldContain("Failed dashboard sign-in");
        output.ShouldNotContain(wrong);
        output.ShouldNotContain(DashboardTestUsers.Password);
        output.ShouldNotContain(Uri.EscapeDataString(DashboardTestUsers.Password));
        output.ShouldNotContain(WebUtility.UrlEncode(DashboardTestUsers.Password));
    }
}
