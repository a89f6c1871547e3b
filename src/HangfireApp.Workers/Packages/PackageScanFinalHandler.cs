using HangfireApp.Batches.FanIn;
using Npgsql;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// When a <c>packages</c> batch is final: each package it owns becomes <c>scanned</c> (its item succeeded) or
/// <c>failed</c> with the item's error (failed after its retries, or cancelled). Runs once per batch run and is
/// idempotent: it only touches packages whose last batch is this one and that are still queued or scanning,
/// so a newer scan of the same package is never overwritten. A batch rerun reopens its failed items; their
/// handler marks the packages <c>scanning</c> again and this runs again when the rerun ends.
/// </summary>
public sealed class PackageScanFinalHandler(NpgsqlDataSource dataSource) : IBatchFinalHandler
{
    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.packages p
            set status = case when i.state = 'succeeded' then 'scanned' else 'failed' end,
                scanned_at = case when i.state = 'succeeded' then coalesce((i.result->>'scannedAt')::timestamptz, now()) else p.scanned_at end,
                last_error = case
                    when i.state = 'succeeded' then null
                    when i.state = 'cancelled' then 'Scan cancelled (batch ' || @batch || ')'
                    else coalesce(i.error, 'Scan failed') end
            from app.items i
            where i.batch_id = @batch
              and i.state in ('succeeded', 'failed', 'cancelled')
              and p.id = (i.payload->>'packageId')::bigint
              and p.last_batch_id = @batch
              and p.status in ('queued', 'scanning')
            """);
        command.Parameters.AddWithValue("batch", batch.BatchId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
