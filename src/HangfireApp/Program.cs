using HangfireApp.Api;
using HangfireApp.Api.Batches;
using HangfireApp.Auth;
using HangfireApp.Api.Packages;
using HangfireApp.Api.Scrape;
using HangfireApp.Batches;
using HangfireApp.Batches.Schedules;
using HangfireApp.Health;
using HangfireApp.Hosting;
using HangfireApp.JobServers;
using HangfireApp.Logging;
using HangfireApp.Schedules;
using HangfireApp.Workers;
using Serilog;

LoggingSetup.CreateBootstrapLogger();
try
{
    // `migrate` is a verb, not a setting: strip it before the command line becomes configuration.
    var migrateOnly = args is ["migrate", ..];
    var builder = WebApplication.CreateBuilder(migrateOnly ? args[1..] : args);

    builder.AddRootConfigurationFile();
    builder.AddLogging();
    builder.AddAppOptions();
    builder.AddApi();
    builder.AddApiAuthentication();
    builder.Services.AddBatchEngine();
    builder.Services.AddWorkerTypes();
    builder.Services.AddSchedules();
    builder.AddJobServers();
    builder.AddHealth();

    var app = builder.Build();
    if (migrateOnly)
    {
        return app.RunMigrateVerb();
    }

    app.UseRequestLogging();
    app.UseApi();
    app.UseApiAuthentication();
    app.MapHealth();
    app.MapJobServers();
    app.MapBatchesApi();
    app.MapPackagesApi();
    app.MapScrapeApi();
    app.MapSchedulesApi();

    app.Run();
    return 0;
}
catch (Exception e) when (e is not HostAbortedException)
{
    Log.Fatal(e, "HangfireApp stopped: {Reason}", e.Message);
    return 1;
}
finally
{
    Log.CloseAndFlush();
}

/// <summary>The entry point, visible to the integration tests' <c>WebApplicationFactory</c>.</summary>
public partial class Program;
