using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.States;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// When a <c>packages</c> batch is final: each package it owns becomes <c>scanned</c> (its item succeeded) or
/// <c>failed</c> with the item's error (failed after its retries, or cancelled). Runs once per batch run and is
/// idempotent: it only touches packages whose last batch is this one and that are still queued or scanning,
/// so a newer scan of the same package is never overwritten. A batch rerun reopens its failed items; their
/// handler marks the packages <c>scanning</c> again and this runs again when the rerun ends.
/// </summary>
public sealed class PackageScanFinalHandler(NpgsqlDataSource dataSource, FinalItemsReader items) : IBatchFinalHandler
{
    /// <summary>Packages written per statement: bounded memory however large the batch.</summary>
    private const int WriteSize = 5_000;

    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        // With the local scanner every package whose item succeeded is already `scanned` (its slice wrote that with
        // its findings), so a batch usually leaves nothing open and its items need not be read at all (reading them
        // cost the host a JSON parse of every item's payload and result, and PostgreSQL a read of every item).
        if (!await AnyOpenAsync(batch.BatchId, cancellationToken))
        {
            return;
        }
        var slice = new List<(long PackageId, string State, DateTimeOffset? ScannedAt, string? Error)>(WriteSize);
        await foreach (var item in items.ReadAsync(batch.BatchId, cancellationToken))
        {
            if (item.State == ItemStates.Pending || !item.Payload.TryGetProperty("packageId", out var id) || !id.TryGetInt64(out var packageId))
            {
                continue;
            }
            DateTimeOffset? scannedAt = item.Result is { ValueKind: System.Text.Json.JsonValueKind.Object } result
                && result.TryGetProperty("scannedAt", out var at) && at.TryGetDateTimeOffset(out var value) ? value : null;
            slice.Add((packageId, item.State, scannedAt, item.Error));
            if (slice.Count == WriteSize)
            {
                await WriteAsync(batch.BatchId, slice, cancellationToken);
                slice.Clear();
            }
        }
        await WriteAsync(batch.BatchId, slice, cancellationToken);
    }

    /// <summary>Whether a package this batch owns is still <c>queued</c> or <c>scanning</c>: all this handler may change.</summary>
    private async Task<bool> AnyOpenAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select exists (select 1 from app.packages where last_batch_id = @batch and status in ('queued', 'scanning'))
            """);
        command.Parameters.AddWithValue("batch", batchId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private async Task WriteAsync(long batchId, List<(long PackageId, string State, DateTimeOffset? ScannedAt, string? Error)> slice, CancellationToken cancellationToken)
    {
        if (slice.Count == 0)
        {
            return;
        }
        await using var command = dataSource.CreateCommand("""
            update app.packages p
            set status = case when i.state = 'succeeded' then 'scanned' else 'failed' end,
                scanned_at = case when i.state = 'succeeded' then coalesce(i.scanned_at, now()) else p.scanned_at end,
                last_error = case
                    when i.state = 'succeeded' then null
                    when i.state = 'cancelled' then 'Scan cancelled (batch ' || @batch || ')'
                    else coalesce(i.error, 'Scan failed') end
            from unnest(@ids, @states, @scanned, @errors) as i(package_id, state, scanned_at, error)
            where p.id = i.package_id
              and p.last_batch_id = @batch
              and p.status in ('queued', 'scanning')
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, slice.Select(s => s.PackageId).ToArray());
        command.Parameters.AddWithValue("states", NpgsqlDbType.Array | NpgsqlDbType.Text, slice.Select(s => s.State).ToArray());
        command.Parameters.AddWithValue("scanned", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, slice.Select(s => (object?)s.ScannedAt ?? DBNull.Value).ToArray());
        command.Parameters.AddWithValue("errors", NpgsqlDbType.Array | NpgsqlDbType.Text, slice.Select(s => (object?)s.Error ?? DBNull.Value).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
