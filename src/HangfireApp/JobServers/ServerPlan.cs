using HangfireApp.Batches.Queues;
using Microsoft.Extensions.Options;

namespace HangfireApp.JobServers;

/// <summary>
/// One job server as it will run: the configured entry with its queues expanded. Only the process's first server runs
/// Hangfire's schedulers (delayed and recurring jobs) and storage maintenance (<see cref="RunsSchedulers"/>); the others
/// run workers only (Hangfire's lightweight servers).
/// </summary>
public sealed record PlannedServer(string Name, IReadOnlyList<string> Queues, int WorkerCount, bool RunsSchedulers);

/// <summary>
/// Turns <c>Hangfire:Servers</c> into the servers this process runs. An empty list means one default server
/// on every enabled worker type's queues. The maintenance queue (sweeps, continuations) goes to the first
/// server when no entry lists it, so housekeeping always runs wherever jobs run. So do Hangfire's schedulers and
/// storage maintenance, on the first server only: in a second server of the same process they would only poll again
/// for the same due jobs every second and take the same distributed locks (a process of two servers made about four
/// such round trips a second while idle).
/// </summary>
public sealed class ServerPlan(IOptions<HangfireOptions> options, IQueueCatalog catalog)
{
    public static readonly int DefaultWorkerCount = Math.Min(Environment.ProcessorCount * 5, 20);

    private readonly Lazy<IReadOnlyList<PlannedServer>> _servers = new(() => Plan(options.Value, catalog));

    public IReadOnlyList<PlannedServer> Servers => _servers.Value;

    private static List<PlannedServer> Plan(HangfireOptions options, IQueueCatalog catalog)
    {
        var entries = options.Servers.Count > 0
            ? options.Servers
            : [new ServerSettings
            {
                Name = "default",
                Queues = [QueueNames.Default, .. catalog.WorkerQueues],
                WorkerCount = DefaultWorkerCount,
            }];
        var maintenanceListed = entries.Any(entry => entry.Queues.Contains(QueueNames.Maintenance));
        return [.. entries.Select((entry, index) => new PlannedServer(
            entry.Name,
            [.. entry.Queues
                .Concat(index == 0 && !maintenanceListed ? [QueueNames.Maintenance] : [])
                .SelectMany(QueueNames.Expand)
                .Distinct()
                .Order(StringComparer.Ordinal)],
            entry.WorkerCount,
            RunsSchedulers: index == 0))];
    }
}
