using System.Net.Http.Json;
using Hangfire;
using Hangfire.States;
using HangfireApp.JobServers;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Hosting;

public sealed class JobServerTests
{
    [Fact]
    public async Task Servers_ShowInApi_WithTheirOwnQueuesAndWorkerCount()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, new Dictionary<string, string?>
        {
            ["Hangfire:Servers:0:Name"] = "scanners",
            ["Hangfire:Servers:0:Queues:0"] = "packages",
            ["Hangfire:Servers:0:WorkerCount"] = "3",
            ["Hangfire:Servers:1:Name"] = "fetchers",
            ["Hangfire:Servers:1:Queues:0"] = "scrape",
            ["Hangfire:Servers:1:Queues:1"] = "default",
            ["Hangfire:Servers:1:WorkerCount"] = "7",
        });
        using var client = app.ApiClient();

        var servers = await BothServersAsync(client);

        var scanners = servers!.Single(server => server.Name.Contains(".scanners:", StringComparison.Ordinal));
        scanners.WorkerCount.ShouldBe(3);
        scanners.Queues.ShouldBe(["maintenance", "packages", "packages-1-high", "packages-2-normal", "packages-3-low"], ignoreOrder: true);
        var fetchers = servers!.Single(server => server.Name.Contains(".fetchers:", StringComparison.Ordinal));
        fetchers.WorkerCount.ShouldBe(7);
        fetchers.Queues.ShouldBe(["default", "scrape", "scrape-1-high", "scrape-2-normal", "scrape-3-low"], ignoreOrder: true);
        servers!.ShouldAllBe(server => server.Heartbeat != null);
    }

    [Fact]
    public async Task OnlyTheFirstServer_RunsTheSchedulers_AndDelayedJobsStillRun()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, new Dictionary<string, string?>
        {
            ["Hangfire:Servers:0:Name"] = "scanners",
            ["Hangfire:Servers:0:Queues:0"] = "packages",
            ["Hangfire:Servers:0:WorkerCount"] = "1",
            ["Hangfire:Servers:1:Name"] = "general",
            ["Hangfire:Servers:1:Queues:0"] = "default",
            ["Hangfire:Servers:1:WorkerCount"] = "1",
        });
        using var client = app.ApiClient();
        await BothServersAsync(client);

        app.Service<ServerPlan>().Servers.Select(server => server.RunsSchedulers).ShouldBe([true, false]);
        // Due on the second server's queue: the first server's scheduler moves it there, the second's worker runs it.
        var jobId = app.Service<IBackgroundJobClient>().Schedule(() => System.Console.WriteLine("due"), TimeSpan.FromSeconds(1));
        await Eventually.Until(() => Task.FromResult(app.Service<JobStorage>().GetConnection().GetStateData(jobId)?.Name),
            state => state == SucceededState.StateName, TimeSpan.FromSeconds(30), "the delayed job to run");
    }

    [Fact]
    public async Task RoleWeb_StartsNoJobServer_AndIsStillReady()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, new Dictionary<string, string?> { ["App:Role"] = "web" });
        using var client = app.ApiClient();

        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        ready.IsSuccessStatusCode.ShouldBeTrue(await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        await Task.Delay(500, TestContext.Current.CancellationToken);
        var servers = await client.GetFromJsonAsync<List<ServerView>>("/api/servers", TestContext.Current.CancellationToken);
        servers.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Hangfire__Servers__0__WorkerCount", "0", "Hangfire:Servers:0:WorkerCount must be between 1 and 1000 (it is 0)")]
    [InlineData("Hangfire__Servers__0__WorkerCount", "1001", "Hangfire:Servers:0:WorkerCount must be between 1 and 1000 (it is 1001)")]
    [InlineData("Hangfire__Servers__0__Queues__0", "Bad Queue", "Hangfire:Servers:0:Queues:0 'Bad Queue' is not a valid queue name")]
    [InlineData("App__Role", "director", "App:Role must be one of all, web, worker (it is 'director')")]
    public async Task InvalidSetting_StopsTheProcess_WithAMessageNamingTheSetting(string variable, string value, string message)
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Hangfire:Servers:0:Name"] = "only",
            ["Hangfire:Servers:0:Queues:0"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = "2",
        };
        settings[variable.Replace("__", ":", StringComparison.Ordinal)] = value;
        await using var host = HostProcess.Start(settings);

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue("the host should stop on its own");
        host.ExitCode.ShouldNotBe(0);
        host.Output.ShouldContain(message);
    }

    private static Task<List<ServerView>?> BothServersAsync(HttpClient client) => Eventually.Until(
        () => client.GetFromJsonAsync<List<ServerView>>("/api/servers", TestContext.Current.CancellationToken),
        list => list!.Count == 2, because: "both servers to announce themselves");
}
