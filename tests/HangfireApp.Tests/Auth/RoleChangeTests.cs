using System.Net;
using HangfireApp.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace HangfireApp.Tests.Auth;

public sealed class RoleChangeTests
{
    [Fact]
    public async Task SignedInUser_LosesRightsOnTheNextRequest_WhenConfigurationLowersTheirRoleOrRemovesThem()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = DashboardTestUsers.Settings();
        settings["App:Role"] = "web";
        await using var app = new AppFactory(database, settings);
        var address = DashboardTestUsers.StartOnKestrel(app);
        using var client = new LoginClient(address);
        (await client.LoginAsync("otto", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await client.GetStringAsync("/hangfire/recurring")).ShouldContain("js-jobs-list-command", Case.Sensitive, "an operator sees the action buttons");

        var configuration = (IConfigurationRoot)app.Service<IConfiguration>();
        configuration["Auth:Users:1:Role"] = "viewer";
        configuration.Reload();
        (await client.GetStringAsync("/hangfire/recurring")).ShouldNotContain("js-jobs-list-command", Case.Sensitive, "now a viewer: read-only");

        configuration["Auth:Users:1:Name"] = "someone-else";
        configuration.Reload();
        using var removed = await client.GetAsync("/hangfire/recurring");
        removed.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        removed.Headers.Location!.AbsolutePath.ShouldBe("/account/login");
    }
}
