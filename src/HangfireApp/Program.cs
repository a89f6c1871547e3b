using HangfireApp.Api;
using HangfireApp.Api.Audit;
using HangfireApp.Api.Batches;
using HangfireApp.Auth;
using HangfireApp.Auth.DataProtection;
using HangfireApp.Dashboard;
using HangfireApp.Dashboard.Audit;
using HangfireApp.Batches;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Schedules;
using HangfireApp.Dashboard.Console;
using HangfireApp.Dashboard.Batches;
using HangfireApp.Health;
using HangfireApp.Hosting;
using HangfireApp.JobServers;
using HangfireApp.Logging;
using HangfireApp.Metrics;
using HangfireApp.Api.Control;
using HangfireApp.Schedules;
using HangfireApp.Workers;
using Serilog;

if (args is [HashPasswordVerb.Name, ..])
{
    // Needs no configuration, database or logging: it only hashes what it is given.
    return HashPasswordVerb.Run(args[1..]);
}

LoggingSetup.CreateBootstrapLogger();
try
{
    // `migrate` is a verb, not a setting: strip it before the command line becomes configuration.
    var migrateOnly = args is ["migrate", ..];
    // Settings are read once, at start: nothing configured in appsettings.json is meant to change while the service runs
    // (live control is in the database). Reloading would also put a recursive file watcher on the content root, the
    // working directory: with ops/run.sh that is the checkout, PostgreSQL's data folder included, and every file the
    // database wrote woke the watcher (about 1% of a busy telemetry host's CPU, measured with perf).
    var builder = WebApplication.CreateBuilder([.. migrateOnly ? args[1..] : args, "--hostBuilder:reloadConfigOnChange=false"]);

    builder.AddRootConfigurationFile();
    builder.AddLogging();
    builder.AddAppOptions();
    builder.AddApi();
    builder.AddApiAuthentication();
    builder.AddSharedDataProtection();
    builder.Services.AddBatchEngine();
    builder.Services.AddWorkerTypes(WorkerModules.All);
    builder.Services.AddSchedules();
    builder.AddJobServers();
    builder.AddJobConsoleDashboard();
    builder.AddBatchesDashboard();
    builder.AddHealth();

    var app = builder.Build();
    if (migrateOnly)
    {
        return app.RunMigrateVerb();
    }

    app.UseReverseProxy();
    app.UseRequestLogging();
    app.UseRequestMetrics();
    app.UseApi();
    app.UseApiAuthentication();
    app.UseRequestTextRules();
    app.UseHangfireCommandAudit();
    app.MapHealth();
    app.MapMetrics();
    app.MapJobServers();
    app.MapDashboard();
    app.MapBatchesApi();
    app.MapWorkerTypes();
    app.MapSchedulesApi();
    app.MapAuditApi();
    app.MapControlApi();

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
