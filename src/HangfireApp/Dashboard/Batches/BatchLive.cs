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
    string Eta)
{
    public static BatchLive From(BatchView batch)
    {
        var counts = batch.ItemCounts;
        return new BatchLive(batch.Id, batch.State, BatchFormat.StateText(batch.State), BatchFormat.StateClass(batch.State),
            BatchFormat.IsOpen(batch.State), batch.CancelRequested, batch.Run, batch.Progress, BatchFormat.ProgressText(batch.Progress),
            BatchFormat.Percent(counts.Succeeded, batch.TotalItems), BatchFormat.Percent(counts.Failed, batch.TotalItems),
            BatchFormat.Percent(counts.Cancelled, batch.TotalItems), batch.TotalItems, counts.Pending, counts.Running,
            counts.Succeeded, counts.Failed, counts.Cancelled, BatchFormat.Rate(batch.ItemsPerSecond), BatchFormat.Eta(batch));
    }
}

/// <summary>A chunk row as the details page's live refresh sends it.</summary>
internal sealed record ChunkLive(int ChunkNo, string State, string StateText, string StateClass, int Attempt, int Epoch,
    string HeartbeatAge, int Succeeded, int Failed, int Cancelled, string? JobId)
{
    public static ChunkLive From(ChunkView chunk, DateTime now) => new(chunk.ChunkNo, chunk.State, BatchFormat.StateText(chunk.State),
        BatchFormat.StateClass(chunk.State), chunk.Attempt, chunk.LeaseEpoch, BatchFormat.Age(chunk.HeartbeatAt, now),
        chunk.Succeeded, chunk.Failed, chunk.Cancelled, chunk.HangfireJobId);
}

/// <summary>The list page's refresh: its rows, and the ids on the page so the page can tell when new batches arrived.</summary>
internal sealed record BatchListLive(IReadOnlyList<BatchLive> Batches, long Total);

/// <summary>The details page's refresh: the batch and the chunks on the page being shown.</summary>
internal sealed record BatchDetailsLive(BatchLive Batch, IReadOnlyList<ChunkLive> Chunks);
