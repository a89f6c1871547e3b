using System.Diagnostics;
using Hangfire;
using Hangfire.Client;
using Hangfire.Common;
using Hangfire.Server;
using Hangfire.States;
using HangfireApp.Batches.Control;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.JobServers;

/// <summary>
/// Runs one Hangfire background job server per planned server. Built at start from validated
/// options (not at registration time), so configuration from any source decides how many servers run.
/// </summary>
/// <remarks>
/// A server's WorkerCount can change while the process runs (<c>PUT /api/servers/{name}</c>, stored in
/// <c>app.server_controls</c> and seen here through <see cref="ControlSnapshot"/>). Hangfire cannot resize a running
/// <see cref="BackgroundJobServer"/>, so the server is replaced in-process: a new one with the new count starts at
/// once under the same name, and the old one is stopped as at a shutdown: it fetches nothing more, and a chunk it was
/// running stops at its next item (items in flight are interrupted and stay pending, finished ones are kept), goes
/// back to queued without using up an attempt, and its job is requeued for the new server. Nothing is lost.
/// </remarks>
internal sealed partial class JobServersHostedService(
    ServerPlan plan,
    IOptions<HangfireOptions> options,
    JobStorage storage,
    ControlSnapshot controls,
    NpgsqlDataSource dataSource,
    IServiceProvider services,
    ILogger<JobServersHostedService> logger) : IHostedService, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Running> _servers = new(StringComparer.Ordinal);
    private readonly List<Task> _draining = [];

    /// <summary>The Hangfire server ids start with <c>{name}:{pid}:</c>; health checks look them up.</summary>
    public IReadOnlyList<string> ServerIdPrefixes { get; private set; } = [];

    /// <summary>The WorkerCount each server of this process runs with now, by server name.</summary>
    public IReadOnlyDictionary<string, int> WorkerCounts
    {
        get
        {
            lock (_gate)
            {
                return _servers.ToDictionary(server => server.Key, server => server.Value.WorkerCount, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The name a planned server runs under, which <c>PUT /api/servers/{name}</c> addresses.</summary>
    public static string ServerName(PlannedServer server) => $"{Environment.MachineName}.{server.Name}".ToLowerInvariant();

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var stored = await StoredWorkerCountsAsync(cancellationToken);
        var pid = Environment.ProcessId;
        var prefixes = new List<string>();
        foreach (var server in plan.Servers)
        {
            var serverName = ServerName(server);
            var workerCount = stored.GetValueOrDefault(serverName, server.WorkerCount);
            var hosted = Create(server, serverName, workerCount);
            lock (_gate)
            {
                _servers[serverName] = new Running(server, hosted, workerCount);
            }
            await hosted.StartAsync(cancellationToken);
            prefixes.Add($"{serverName}:{pid}:");
            LogServerStarted(logger, server.Name, workerCount, server.Queues.Count);
        }
        ServerIdPrefixes = prefixes;
        controls.WorkerCountsChanged += OnWorkerCountsChanged;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        controls.WorkerCountsChanged -= OnWorkerCountsChanged;
        var stopwatch = Stopwatch.StartNew();
        List<Running> running;
        List<Task> draining;
        lock (_gate)
        {
            running = [.. _servers.Values];
            draining = [.. _draining];
        }
        await Task.WhenAll(running.Select(server => server.Hosted.StopAsync(cancellationToken)).Concat(draining));
        LogServersStopped(logger, running.Count, stopwatch.ElapsedMilliseconds);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var server in _servers.Values)
            {
                server.Hosted.Dispose();
            }
        }
    }

    private void OnWorkerCountsChanged(IReadOnlyDictionary<string, int> counts)
    {
        foreach (var (serverName, count) in counts)
        {
            Running? old;
            lock (_gate)
            {
                if (!_servers.TryGetValue(serverName, out old) || old.WorkerCount == count)
                {
                    continue;
                }
            }
            var task = ResizeAsync(serverName, old, count);
            lock (_gate)
            {
                _draining.RemoveAll(t => t.IsCompleted);
                _draining.Add(task);
            }
        }
    }

    /// <summary>Starts the replacement first, so fetching never pauses; then drains the old server.</summary>
    private async Task ResizeAsync(string serverName, Running old, int workerCount)
    {
        try
        {
            var replacement = Create(old.Plan, serverName, workerCount);
            await replacement.StartAsync(CancellationToken.None);
            lock (_gate)
            {
                _servers[serverName] = new Running(old.Plan, replacement, workerCount);
            }
            LogResized(logger, serverName, old.WorkerCount, workerCount);
            var stopwatch = Stopwatch.StartNew();
            await old.Hosted.StopAsync(CancellationToken.None);
            old.Hosted.Dispose();
            LogDrained(logger, serverName, old.WorkerCount, stopwatch.ElapsedMilliseconds);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogResizeFailed(logger, e, serverName, workerCount);
        }
    }

    private BackgroundJobServerHostedService Create(PlannedServer server, string serverName, int workerCount)
    {
        var filters = services.GetService<IJobFilterProvider>() ?? JobFilterProviders.Providers;
        var activator = services.GetRequiredService<JobActivator>();
        var serverOptions = new BackgroundJobServerOptions
        {
            ServerName = serverName,
            Queues = [.. server.Queues],
            WorkerCount = workerCount,
            HeartbeatInterval = options.Value.HeartbeatInterval,
            ServerCheckInterval = TimeSpan.FromMinutes(1),
            // Retries are Scheduled jobs and sweeps run every few seconds: look for due ones every second.
            SchedulePollingInterval = TimeSpan.FromSeconds(1),
            ServerTimeout = TimeSpan.FromMinutes(2),
            IsLightweightServer = !server.RunsSchedulers,
        };
        // Hangfire marks this overload obsolete for 2.0 but it is the one that takes the DI-built
        // performer (our activator and filters) for a server created at start; Hangfire.NetCore's
        // own AddHangfireServer uses the same overload.
#pragma warning disable CS0618
        return new BackgroundJobServerHostedService(
            storage, serverOptions, [],
            new BackgroundJobFactory(filters), new BackgroundJobPerformer(filters, activator), new BackgroundJobStateChanger(filters));
#pragma warning restore CS0618
    }

    private async Task<Dictionary<string, int>> StoredWorkerCountsAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            await using var command = dataSource.CreateCommand("select server_name, worker_count from app.server_controls");
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            // App:MigrateOnStart=false and not migrated yet: the configured counts apply.
        }
        return counts;
    }

    private sealed record Running(PlannedServer Plan, BackgroundJobServerHostedService Hosted, int WorkerCount);

    [LoggerMessage(EventId = LogEventIds.JobServersHostedServiceServerStarted, Level = LogLevel.Information, Message = "Job server {ServerName} started with {WorkerCount} workers on {QueueCount} queues")]
    private static partial void LogServerStarted(ILogger logger, string serverName, int workerCount, int queueCount);

    [LoggerMessage(EventId = LogEventIds.JobServersHostedServiceServersStopped, Level = LogLevel.Information, Message = "{Count} job server(s) stopped in {ElapsedMs} ms")]
    private static partial void LogServersStopped(ILogger logger, int count, long elapsedMs);

    [LoggerMessage(EventId = LogEventIds.JobServersHostedServiceResized, Level = LogLevel.Warning, Message = "Job server {ServerName} resized from {OldCount} to {NewCount} workers: the replacement runs, the old server drains")]
    private static partial void LogResized(ILogger logger, string serverName, int oldCount, int newCount);

    [LoggerMessage(EventId = LogEventIds.JobServersHostedServiceDrained, Level = LogLevel.Information, Message = "Job server {ServerName} with {OldCount} workers drained and stopped in {ElapsedMs} ms")]
    private static partial void LogDrained(ILogger logger, string serverName, int oldCount, long elapsedMs);

    [LoggerMessage(EventId = LogEventIds.JobServersHostedServiceResizeFailed, Level = LogLevel.Error, Message = "Could not resize job server {ServerName} to {WorkerCount} workers")]
    private static partial void LogResizeFailed(ILogger logger, Exception exception, string serverName, int workerCount);
}
