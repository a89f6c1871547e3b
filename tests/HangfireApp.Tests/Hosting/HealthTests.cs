using System.Net;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Hosting;

public sealed class HealthTests
{
    [Fact]
    public async Task Ready_Answers200_WhenMigratedAndServersBeat_AndLiveNeedsNoKey()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database);
        using var anonymous = app.ApiClient(apiKey: null);

        (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // The servers announce themselves a moment after start; until then the host is rightly not ready.
        var ready = await Eventually.Until(
            () => anonymous.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken),
            response => response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(15), "the host to become ready");
        var body = await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        body.ShouldContain("migrations applied");
        body.ShouldContain("fresh heartbeat");
    }

    [Fact]
    public async Task Ready_Answers503_WhenMigrationsAreNotApplied()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, new Dictionary<string, string?>
        {
            ["App:MigrateOnStart"] = "false",
            ["App:Role"] = "web",
        });
        using var anonymous = app.ApiClient(apiKey: null);

        var ready = await anonymous.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        ready.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, body);
        body.ShouldContain("not applied");
        (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
