using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.States;
using HangfireApp.Workers.Telemetry.Storage;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// When a <c>telemetry</c> batch is final: each of its matches whose item failed (after its retries, or for good at
/// once) or was cancelled becomes <c>failed</c> with the item's error. Processed matches were already stored by the
/// handler. Idempotent, and matches a newer batch took over are left alone.
/// </summary>
public sealed class TelemetryFinalHandler(TelemetryMatchStore store, FinalItemsReader items) : IBatchFinalHandler
{
    private const int WriteSize = 1_000;

    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        var failures = new List<(string MatchId, string Error)>();
        await foreach (var item in items.ReadAsync(batch.BatchId, cancellationToken))
        {
            if (item.State is ItemStates.Succeeded or ItemStates.Pending
                || !item.Payload.TryGetProperty("matchId", out var id) || id.GetString() is not { } matchId)
            {
                continue;
            }
            failures.Add((matchId, item.State == ItemStates.Cancelled
                ? $"Cancelled with batch {batch.BatchId}."
                : item.Error ?? "Processing failed."));
            if (failures.Count == WriteSize)
            {
                await store.FailUnfinishedAsync(batch.BatchId, failures, cancellationToken);
                failures.Clear();
            }
        }
        await store.FailUnfinishedAsync(batch.BatchId, failures, cancellationToken);
    }
}
