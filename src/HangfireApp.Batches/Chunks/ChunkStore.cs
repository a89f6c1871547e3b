using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Batches.Chunks;

/// <summary>A chunk as claimed by one run of its job, holding the lease <see cref="Epoch"/>.</summary>
public sealed record ChunkClaim(
    long ChunkId, long BatchId, int FirstItem, int ItemCount, int Attempt, int Epoch, string WorkerType, bool CancelRequested)
{
    /// <summary>How long the chunk had been queued when claimed (null when it was re-claimed while running).</summary>
    public TimeSpan? Waited { get; init; }
}

/// <summary>An item read for processing.</summary>
public sealed record PendingItem(int ItemNo, string Payload, int Attempts);

/// <summary>What one item's run ended in. <see cref="State"/> is <c>succeeded</c>, <c>failed</c> (final), or
/// <c>pending</c> (failed, but will be retried). <see cref="Outputs"/>: the JSON array of items it emitted for the next
/// pipeline stage, or null when its result is what the next stage gets.</summary>
public sealed record ItemOutcome(int ItemNo, string State, string? Result, string? Error, string? Fingerprint, string? Outputs = null);

/// <summary>What a fenced write learned: whether the lease is still ours and whether a cancel was asked.</summary>
public readonly record struct LeaseStatus(bool Lost, bool CancelRequested);

/// <summary>
/// The chunk job's reads and writes. Every write after the claim is fenced: it locks the chunk row and
/// proceeds only if the lease epoch is still the one this run claimed, so a rescued chunk's old worker
/// can no longer write anything.
/// </summary>
public sealed class ChunkStore(NpgsqlDataSource dataSource, Control.ChunkGate gate)
{
    /// <summary>Claims the chunk for the given job: bumps attempt and epoch. Null if the chunk is final,
    /// or if another job now owns it (this one is a leftover of a rescue).</summary>
    public async Task<ChunkClaim?> ClaimAsync(long chunkId, string jobId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        // Paused or capped: throws ChunkDeferredException before anything is claimed (no attempt used).
        var waited = await gate.CheckAsync(connection, transaction, chunkId, jobId, cancellationToken);
        await using var claim = new NpgsqlCommand("""
            with claimed as (
                update app.chunks c
                set state = 'running', attempt = c.attempt + 1, lease_epoch = c.lease_epoch + 1,
                    heartbeat_at = now(), started_at = coalesce(c.started_at, now())
                where c.id = @id and c.hangfire_job_id = @job and c.state in ('queued', 'running')
                returning c.batch_id, c.first_item, c.item_count, c.attempt, c.lease_epoch
            )
            select cl.batch_id, cl.first_item, cl.item_count, cl.attempt, cl.lease_epoch, b.worker_type, b.cancel_requested_at is not null
            from claimed cl join app.batches b on b.id = cl.batch_id
            """, connection, transaction);
        claim.Parameters.AddWithValue("id", chunkId);
        claim.Parameters.AddWithValue("job", jobId);
        ChunkClaim? result = null;
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            if (await reader.ReadAsync(cancellationToken))
            {
                result = new ChunkClaim(chunkId, reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3),
                    reader.GetInt32(4), reader.GetString(5), reader.GetBoolean(6)) { Waited = waited };
            }
        }
        if (result is not null)
        {
            await using var start = new NpgsqlCommand(
                "update app.batches set state = 'running', started_at = coalesce(started_at, now()) where id = @batch and state = 'created'",
                connection, transaction);
            start.Parameters.AddWithValue("batch", result.BatchId);
            await start.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return result;
    }

    /// <summary>The chunk's items that are not final yet, in one query.</summary>
    public async Task<List<PendingItem>> LoadPendingItemsAsync(ChunkClaim claim, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select item_no, payload::text, attempts from app.items
            where batch_id = @batch and item_no >= @first and item_no < @end and state = 'pending'
            order by item_no
            """);
        command.Parameters.AddWithValue("batch", claim.BatchId);
        command.Parameters.AddWithValue("first", claim.FirstItem);
        command.Parameters.AddWithValue("end", claim.FirstItem + claim.ItemCount);
        var items = new List<PendingItem>(claim.ItemCount);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new PendingItem(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2)));
        }
        return items;
    }

    /// <summary>Writes a batch of item outcomes and the chunk's counters and heartbeat in one fenced
    /// transaction of three statements, whatever the number of items.</summary>
    public async Task<LeaseStatus> FlushAsync(ChunkClaim claim, IReadOnlyList<ItemOutcome> outcomes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var status = await LockLeaseAsync(connection, transaction, claim, cancellationToken);
        if (status.Lost)
        {
            return status;
        }
        await using var write = new NpgsqlCommand("""
            with outcome as (
                select * from unnest(@nos, @states, @results, @errors, @fingerprints, @outputs) as o(item_no, state, result, error, fingerprint, outputs)
            ), changed as (
                update app.items i
                set state = o.state, result = o.result, error = o.error, error_fingerprint = o.fingerprint, outputs = o.outputs,
                    attempts = i.attempts + 1, finished_at = case when o.state = 'pending' then null else now() end
                from outcome o
                where i.batch_id = @batch and i.item_no = o.item_no and i.state = 'pending'
                returning o.state, o.error
            )
            update app.chunks
            set heartbeat_at = now(),
                succeeded_items = succeeded_items + (select count(*) from changed where state = 'succeeded'),
                failed_items = failed_items + (select count(*) from changed where state = 'failed'),
                last_error = coalesce((select max(error) from changed where error is not null), last_error)
            where id = @chunk
            """, connection, transaction);
        write.Parameters.AddWithValue("nos", NpgsqlDbType.Array | NpgsqlDbType.Integer, outcomes.Select(o => o.ItemNo).ToArray());
        write.Parameters.AddWithValue("states", NpgsqlDbType.Array | NpgsqlDbType.Text, outcomes.Select(o => o.State).ToArray());
        write.Parameters.AddWithValue("results", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, outcomes.Select(o => (object?)o.Result ?? DBNull.Value).ToArray());
        write.Parameters.AddWithValue("errors", NpgsqlDbType.Array | NpgsqlDbType.Text, outcomes.Select(o => (object?)o.Error ?? DBNull.Value).ToArray());
        write.Parameters.AddWithValue("fingerprints", NpgsqlDbType.Array | NpgsqlDbType.Text, outcomes.Select(o => (object?)o.Fingerprint ?? DBNull.Value).ToArray());
        write.Parameters.AddWithValue("outputs", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, outcomes.Select(o => (object?)o.Outputs ?? DBNull.Value).ToArray());
        write.Parameters.AddWithValue("batch", claim.BatchId);
        write.Parameters.AddWithValue("chunk", claim.ChunkId);
        await write.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return status;
    }

    /// <summary>Proves the chunk is alive; learns of a lost lease or a cancel.</summary>
    public async Task<LeaseStatus> HeartbeatAsync(ChunkClaim claim, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.chunks c set heartbeat_at = now()
            where c.id = @chunk and c.lease_epoch = @epoch
            returning (select b.cancel_requested_at is not null from app.batches b where b.id = c.batch_id)
            """);
        command.Parameters.AddWithValue("chunk", claim.ChunkId);
        command.Parameters.AddWithValue("epoch", claim.Epoch);
        var cancel = await command.ExecuteScalarAsync(cancellationToken);
        return cancel is bool requested ? new LeaseStatus(false, requested) : new LeaseStatus(true, false);
    }

    /// <summary>Locks the chunk row and compares epochs; the lock keeps a rescue from slipping in
    /// between the check and the writes that follow it in the same transaction.</summary>
    internal static async Task<LeaseStatus> LockLeaseAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, ChunkClaim claim, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            select c.lease_epoch, b.cancel_requested_at is not null
            from app.chunks c join app.batches b on b.id = c.batch_id
            where c.id = @chunk
            for update of c
            """, connection, transaction);
        command.Parameters.AddWithValue("chunk", claim.ChunkId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken) || reader.GetInt32(0) != claim.Epoch)
        {
            return new LeaseStatus(true, false);
        }
        return new LeaseStatus(false, reader.GetBoolean(1));
    }
}
