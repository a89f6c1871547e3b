using HangfireApp.Batches.Queries;

namespace HangfireApp.Dashboard.Batches;

/// <summary>A batch as the live refresh sends it: the numbers the list and details pages update in place, preformatted.</summary>
internal sealed record BatchLive(
    long Id,
    string State,
    string StateText,
    string StateClass,
    bool Open,
    bool CancelRequested,
    int Run,
    double Progress,
    string ProgressText,
    string SucceededPercent,
    string FailedPercent,
    string CancelledPercent,
    long Total,
    long Pending,
    long Running,
    long Succeeded,
    long Failed,
    long Cancelled,
    string Rate,
    string Eta,
    string Duration)
{
    public static BatchLive From(BatchView batch)
    {
        var counts = batch.ItemCounts;
        return new BatchLive(batch.Id, batch.State, BatchFormat.StateText(batch), BatchFormat.StateClass(batch),
            BatchFormat.IsOpen(batch.State), batch.CancelRequested, batch.Run, batch.Progress, BatchFormat.ProgressText(batch.Progress),
            BatchFormat.Percent(counts.Succeeded, batch.TotalItems), BatchFormat.Percent(counts.Failed, batch.TotalItems),
            BatchFormat.Percent(counts.Cancelled, batch.TotalItems), batch.TotalItems, counts.Pending, counts.Running,
            counts.Succeeded, counts.Failed, counts.Cancelled, BatchFormat.Rate(batch.ItemsPerSecond), BatchFormat.Eta(batch),
            BatchFormat.Duration(batch));
    }
}

/// <summary>A chunk row as the details page's live refresh sends it.</summary>
internal sealed record ChunkLive(int ChunkNo, string State, string StateText, string StateClass, int Attempt, int Epoch,
    string HeartbeatAge, int Succeeded, int Failed, int Cancelled, string? JobId, string Wait)
{
    public static ChunkLive From(ChunkView chunk, DateTime now, IReadOnlyDictionary<string, ChunkJobWait> waits) => new(chunk.ChunkNo, chunk.State,
        BatchFormat.StateText(chunk.State), BatchFormat.StateClass(chunk.State), chunk.Attempt, chunk.LeaseEpoch, BatchFormat.Age(chunk.HeartbeatAt, now),
        chunk.Succeeded, chunk.Failed, chunk.Cancelled, chunk.HangfireJobId, ChunkWaitText.For(chunk, waits, now));
}

/// <summary>What a queued chunk waits for, from its job's Hangfire state: "retry at …", paused, capped.</summary>
internal static class ChunkWaitText
{
    public static async Task<IReadOnlyDictionary<string, ChunkJobWait>> LoadAsync(ChunkJobQueries queries, IEnumerable<ChunkView> chunks, CancellationToken cancellationToken) =>
        await queries.WaitsAsync([.. chunks.Where(chunk => chunk.State == "queued" && chunk.HangfireJobId is not null).Select(chunk => chunk.HangfireJobId!)], cancellationToken);

    public static string For(ChunkView chunk, IReadOnlyDictionary<string, ChunkJobWait> waits, DateTime now) =>
        chunk.State == "queued" && chunk.HangfireJobId is { } jobId && waits.TryGetValue(jobId, out var wait) ? Describe(wait, now) ?? "" : "";

    /// <summary>The earliest retry the batch waits for, or why it waits otherwise; null when nothing waits.</summary>
    public static string? Summary(IEnumerable<ChunkJobWait> waits, DateTime now)
    {
        var scheduled = waits.Where(wait => wait.JobState == Hangfire.States.ScheduledState.StateName).ToList();
        var retry = scheduled.Where(IsRetry).Select(wait => wait.EnqueueAt).Where(at => at is not null).Min();
        if (retry is { } at)
        {
            return $"{scheduled.Count(IsRetry)} chunk(s) wait for a retry; next retry at {At(at, now)}";
        }
        return scheduled.Select(wait => Describe(wait, now)).FirstOrDefault(text => text is not null);
    }

    private static bool IsRetry(ChunkJobWait wait) => wait.Reason?.StartsWith(HangfireApp.Batches.Chunks.ChunkRetryFilter.RetryPrefix, StringComparison.Ordinal) == true;

    private static string? Describe(ChunkJobWait wait, DateTime now)
    {
        if (wait.JobState != Hangfire.States.ScheduledState.StateName)
        {
            return wait.JobState == Hangfire.States.EnqueuedState.StateName ? "waiting for a worker" : null;
        }
        if (IsRetry(wait))
        {
            return wait.EnqueueAt is { } at ? $"retry at {At(at, now)}" : "waiting for a retry";
        }
        if (wait.Reason?.StartsWith(HangfireApp.Batches.Control.ChunkGate.PausedPrefix, StringComparison.Ordinal) == true)
        {
            return "paused";
        }
        return wait.Reason?.StartsWith(HangfireApp.Batches.Control.ChunkGate.CappedPrefix, StringComparison.Ordinal) == true ? "held by the cap" : "scheduled";
    }

    private static string At(DateTime at, DateTime now) =>
        $"{at:HH:mm:ss} UTC ({(at > now ? "in " + BatchFormat.Duration(at - now) : "due")})";
}

/// <summary>The list page's refresh: its rows, and the ids on the page so the page can tell when new batches arrived.</summary>
internal sealed record BatchListLive(IReadOnlyList<BatchLive> Batches, long Total);

/// <summary>The details page's refresh: the batch and the chunks on the page being shown.</summary>
internal sealed record BatchDetailsLive(BatchLive Batch, IReadOnlyList<ChunkLive> Chunks, string Waiting);
