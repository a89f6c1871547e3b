using Hangfire.Storage.Monitoring;

namespace HangfireApp.Batches.Queues;

/// <summary>Batch priority. Its number is the queue-name prefix that makes alphabetical order the priority order.</summary>
public enum Priority
{
    High = 1,
    Normal = 2,
    Low = 3,
}

/// <summary>
/// Queue names obey Hangfire's rule (lowercase letters, digits, <c>_</c> and <c>-</c>). Hangfire.PostgreSql
/// fetches a server's queues in <b>alphabetical</b> order, not in the order the server lists them, so a
/// worker type's priority queues are named <c>{queue}-1-high</c>, <c>{queue}-2-normal</c>, <c>{queue}-3-low</c>.
/// </summary>
public static class QueueNames
{
    /// <summary>Hangfire's own default queue.</summary>
    public const string Default = "default";

    /// <summary>Sweeps, continuations and webhooks: engine housekeeping, on at least one server of every worker process.</summary>
    public const string Maintenance = "maintenance";

    private static readonly Priority[] ByPriority = [Priority.High, Priority.Normal, Priority.Low];

    public static string ForPriority(string queue, Priority priority) =>
        $"{queue}-{(int)priority}-{priority.ToString().ToLowerInvariant()}";

    /// <summary>A configured queue and the priority queues it stands for; engine queues stand for themselves.</summary>
    public static IEnumerable<string> Expand(string queue) =>
        queue is Default or Maintenance || IsPriorityQueue(queue)
            ? [queue]
            : [.. ByPriority.Select(priority => ForPriority(queue, priority)), queue];

    /// <summary>The job servers that fetch from <paramref name="queue"/> or any of the priority queues it stands for.</summary>
    public static IEnumerable<ServerDto> Serving(IEnumerable<ServerDto> servers, string queue)
    {
        var queues = Expand(queue).ToHashSet(StringComparer.Ordinal);
        return servers.Where(server => server.Queues.Any(queues.Contains));
    }

    private static bool IsPriorityQueue(string queue) =>
        ByPriority.Any(priority => queue.EndsWith($"-{(int)priority}-{priority.ToString().ToLowerInvariant()}", StringComparison.Ordinal));
}
