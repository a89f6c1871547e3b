using HangfireApp.Batches.Storage;
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
        // The batch's first claim also starts the batch, in the same statement: one round trip less on the way from a
        // chunk's pickup to its first item.
        await using var claim = new NpgsqlCommand("""
            with claimed as (
                update app.chunks c
                set state = 'running', attempt = c.attempt + 1, lease_epoch = c.lease_epoch + 1,
                    heartbeat_at = now(), started_at = coalesce(c.started_at, now())
                where c.id = @id and c.hangfire_job_id = @job and c.state in ('queued', 'running')
                returning c.batch_id, c.first_item, c.item_count, c.attempt, c.lease_epoch
            ), started as (
                update app.batches b set state = 'running', started_at = coalesce(b.started_at, now()), run_started_at = now()
                from claimed cl where b.id = cl.batch_id and b.state = 'created'
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

    // The writes below are the rest of a chunk's life outside its run: creation, requeue, close, rescue and rerun.
    // They live here, next to the claim and the fenced flushes, so that every write of a chunk's state and lease
    // epoch has one owner; each runs in its caller's transaction.

    /// <summary>Creates the chunks of a new batch's items [0, total), <c>queued</c> under epoch 0; their ids in order.</summary>
    internal static async Task<List<long>> InsertAsync(AppTransaction transaction, long batchId, int totalItems, int chunkSize, CancellationToken cancellationToken)
    {
        await using var insert = transaction.Command("""
            insert into app.chunks (batch_id, chunk_no, first_item, item_count)
            select @batch, n, n * @size, least(@size, @total - n * @size)
            from generate_series(0, (@total - 1) / @size) as n
            returning id
            """);
        insert.Parameters.AddWithValue("batch", batchId);
        insert.Parameters.AddWithValue("size", chunkSize);
        insert.Parameters.AddWithValue("total", totalItems);
        var chunkIds = new List<long>();
        await using (var reader = await insert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                chunkIds.Add(reader.GetInt64(0));
            }
        }
        return chunkIds;
    }

    /// <summary>Puts a chunk whose run ended with items left back to <c>queued</c> (its job is retried); with
    /// <paramref name="giveAttemptBack"/> the next claim reuses this run's attempt number. The caller holds the lease lock.</summary>
    internal static async Task RequeueAsync(AppTransaction transaction, long chunkId, bool giveAttemptBack, CancellationToken cancellationToken)
    {
        await using var requeue = transaction.Command(
            "update app.chunks set state = 'queued', heartbeat_at = now(), attempt = attempt - case when @back then 1 else 0 end where id = @chunk");
        requeue.Parameters.AddWithValue("chunk", chunkId);
        requeue.Parameters.AddWithValue("back", giveAttemptBack);
        await requeue.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Closes the chunk's pending items as <paramref name="closeAs"/> and gives the chunk its final
    /// state from its counters. The caller holds the chunk row lock. Returns how many items it closed.</summary>
    internal static async Task<int> CloseAsync(AppTransaction transaction, long chunkId, long batchId, int firstItem, int itemCount, string closeAs, string? reason, CancellationToken cancellationToken)
    {
        await using var close = transaction.Command("""
            with closed as (
                update app.items
                set state = @close, finished_at = now(),
                    error = case when @close = 'failed' then coalesce(error, @reason) else error end,
                    error_fingerprint = case when @close = 'failed' then coalesce(error_fingerprint, @reason) else error_fingerprint end
                where batch_id = @batch and item_no >= @first and item_no < @end and state = 'pending'
                returning 1
            ), counted as (
                select succeeded_items as s,
                       failed_items + case when @close = 'failed' then (select count(*) from closed) else 0 end as f,
                       cancelled_items + case when @close = 'cancelled' then (select count(*) from closed) else 0 end as c
                from app.chunks where id = @chunk
            )
            update app.chunks ch
            set failed_items = counted.f, cancelled_items = counted.c, finished_at = now(), heartbeat_at = now(),
                state = case
                    when counted.c > 0 then 'cancelled'
                    when counted.f = 0 then 'succeeded'
                    when counted.s = 0 then 'failed'
                    else 'completed_with_failures' end
            from counted
            where ch.id = @chunk
            returning (select count(*) from closed)
            """);
        close.Parameters.AddWithValue("close", closeAs);
        close.Parameters.AddWithValue("reason", (object?)reason ?? "Chunk ended with the item unprocessed");
        close.Parameters.AddWithValue("batch", batchId);
        close.Parameters.AddWithValue("first", firstItem);
        close.Parameters.AddWithValue("end", firstItem + itemCount);
        close.Parameters.AddWithValue("chunk", chunkId);
        return Convert.ToInt32(await close.ExecuteScalarAsync(cancellationToken) ?? 0, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Requeues, under a new epoch, up to 500 chunks that stopped making progress: running with a heartbeat older than
    /// <paramref name="stall"/>, whose Hangfire job is gone, deleted, failed or finished while the chunk is not, or fetched
    /// by a worker that never claimed them. The new epoch fences out the old worker. Returns the rescued chunks with their old job, worker type and priority.
    /// </summary>
    internal static async Task<List<(long Id, string? JobId, string WorkerType, string Priority)>> RescueStalledAsync(
        AppTransaction transaction, string hangfireSchema, TimeSpan stall, CancellationToken cancellationToken)
    {
        var schema = hangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);
        // SKIP LOCKED: a chunk being written right now is alive by definition, and two sweeps never collide.
        await using var find = transaction.Command($"""
            update app.chunks c set state = 'queued', lease_epoch = c.lease_epoch + 1, heartbeat_at = now()
            from (
                select c.id, b.worker_type, b.priority
                from app.chunks c
                join app.batches b on b.id = c.batch_id
                left join "{schema}".job j on j.id = c.hangfire_job_id::bigint
                where c.state in ('queued', 'running')
                  and (
                    (c.state = 'running' and c.heartbeat_at < now() - @stall)
                    or ((j.id is null or j.statename in ('Deleted', 'Failed', 'Succeeded'))
                        and coalesce(c.heartbeat_at, b.created_at) < now() - interval '5 seconds')
                    -- Fetched but never claimed: a live worker claims within moments of fetching, so the worker
                    -- died (or hangs) between the fetch and the claim. Hangfire would hand the job out again only
                    -- after its invisibility timeout, minutes later; the fetch time stops moving once the worker
                    -- is dead (no more keep-alives).
                    or (c.state = 'queued'
                        and coalesce(c.heartbeat_at, b.created_at) < now() - @stall
                        and exists (select 1 from "{schema}".jobqueue q
                                    where q.jobid = j.id and q.fetchedat < now() - @stall))
                  )
                order by c.id
                limit 500
                for update of c skip locked
            ) s
            where c.id = s.id
            returning c.id, c.hangfire_job_id, s.worker_type, s.priority
            """);
        find.Parameters.AddWithValue("stall", stall);
        var rescued = new List<(long Id, string? JobId, string WorkerType, string Priority)>();
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rescued.Add((reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }
        return rescued;
    }

    /// <summary>
    /// Reopens a final batch's items for a rerun — its failed and cancelled ones, or all of them with <paramref name="all"/>,
    /// optionally of one chunk — and puts their chunks back to <c>queued</c> under a new epoch with fresh counters. Returns
    /// the chunks reopened and their old jobs. The caller holds the chunk and batch locks.
    /// </summary>
    internal static async Task<(List<long> ChunkIds, List<string?> OldJobs)> ReopenForRerunAsync(
        AppTransaction transaction, long batchId, bool all, int? chunkNo, int chunkSize, CancellationToken cancellationToken)
    {
        await using var reopen = transaction.Command("""
            with reopened as (
                update app.items i
                set state = 'pending', finished_at = null, error = null, error_fingerprint = null,
                    result = case when @all then null else i.result end
                where i.batch_id = @batch
                  and (@chunk::int is null or i.item_no / @size = @chunk)
                  and (i.state in ('failed', 'cancelled') or (@all and i.state = 'succeeded'))
                returning i.item_no / @size as chunk_no
            ), touched as (
                select distinct chunk_no from reopened
            ), counts as (
                select i.item_no / @size as chunk_no,
                       count(*) filter (where i.state = 'succeeded' and not (@all and (@chunk::int is null or i.item_no / @size = @chunk))) as s
                from app.items i
                where i.batch_id = @batch and i.item_no / @size in (select chunk_no from touched)
                group by 1
            )
            update app.chunks c
            set state = 'queued', attempt = 0, lease_epoch = c.lease_epoch + 1, finished_at = null, heartbeat_at = now(),
                succeeded_items = counts.s, failed_items = 0, cancelled_items = 0, last_error = null
            from counts
            where c.batch_id = @batch and c.chunk_no = counts.chunk_no
            returning c.id, c.hangfire_job_id
            """);
        reopen.Parameters.AddWithValue("batch", batchId);
        reopen.Parameters.AddWithValue("all", all);
        reopen.Parameters.AddWithValue("chunk", NpgsqlTypes.NpgsqlDbType.Integer, (object?)chunkNo ?? DBNull.Value);
        reopen.Parameters.AddWithValue("size", chunkSize);
        var chunkIds = new List<long>();
        var oldJobs = new List<string?>();
        await using (var reader = await reopen.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                chunkIds.Add(reader.GetInt64(0));
                oldJobs.Add(reader.IsDBNull(1) ? null : reader.GetString(1));
            }
        }
        return (chunkIds, oldJobs);
    }
}
