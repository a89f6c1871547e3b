using System.Diagnostics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using Microsoft.Extensions.Options;

namespace HangfireApp.JobServers;

/// <summary>
/// Runs one Hangfire background job server per planned server. Built at start from validated
/// options (not at registration time), so configuration from any source decides how many servers run.
/// </summary>
internal sealed partial class JobServersHostedService(
    ServerPlan plan,
    IOptions<HangfireOptions> options,
    JobStorage storage,
    IServiceProvider services,
    ILogger<JobServersHostedService> logger) : IHostedService, IDisposable
{
    private readonly List<BackgroundJobServerHostedService> _servers = [];

    /// <summary>The Hangfire server ids start with <c>{name}:{pid}:</c>; health checks look them up.</summary>
    public IReadOnlyList<string> ServerIdPrefixes { get; private set; } = [];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var filters = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers;
        var activator = services.GetRequiredService<JobActivator>();
        var pid = Environment.ProcessId;
        var prefixes = new List<string>();
        foreach (var server in plan.Servers)
        {
            var serverName = $"{Environment.MachineName}.{server.Name}".ToLowerInvariant();
            var serverOptions = new BackgroundJobServerOptions
            {
                ServerName = serverName,
                Queues = [.. server.Queues],
                WorkerCount = server.WorkerCount,
                HeartbeatInterval = options.Value.HeartbeatInterval,
                ServerCheckInterval = TimeSpan.FromMinutes(1),
                // Retries are Scheduled jobs and sweeps run every few seconds: look for due ones every second.
                SchedulePollingInterval = TimeSpan.FromSeconds(1),
                ServerTimeout = TimeSpan.FromMinutes(2),
            };
            // Hangfire marks this overload obsolete for 2.0 but it is the one that takes the DI-built
            // performer (our activator and filters) for a server created at start; Hangfire.NetCore's
            // own AddHangfireServer uses the same overload.
#pragma warning disable CS0618
            var hosted = new BackgroundJobServerHostedService(
                storage, serverOptions, [],
                new BackgroundJobFactory(filters), new BackgroundJobPerformer(filters, activator), new BackgroundJobStateChanger(filters));
#pragma warning restore CS0618
            _servers.Add(hosted);
            await hosted.StartAsync(cancellationToken);
            prefixes.Add($"{serverName}:{pid}:");
            LogServerStarted(logger, server.Name, server.WorkerCount, server.Queues.Count);
        }
        ServerIdPrefixes = prefixes;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(_servers.Select(server => server.StopAsync(cancellationToken)));
        LogServersStopped(logger, _servers.Count, stopwatch.ElapsedMilliseconds);
    }

    public void Dispose()
    {
        foreach (var server in _servers)
        {
            server.Dispose();
        }
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Job server {ServerName} started with {WorkerCount} workers on {QueueCount} queues")]
    private static partial void LogServerStarted(ILogger logger, string serverName, int workerCount, int queueCount);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "{Count} job server(s) stopped in {ElapsedMs} ms")]
    private static partial void LogServersStopped(ILogger logger, int count, long elapsedMs);
}
