using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.States;
using HangfireApp.Batches.Submit;
using Microsoft.Extensions.Logging;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Control;

/// <summary>What a rerun reopens: failed (and cancelled) items, or every item.</summary>
public enum RerunScope
{
    Failed,
    All,
}

/// <summary>
/// Operator actions. Locks are always taken chunks first (by id), then the batch — the order the chunk
/// jobs use — so these never deadlock with running chunks.
/// </summary>
public sealed partial class BatchControl(
    NpgsqlDataSource dataSource,
    ChunkScheduler scheduler,
    TransactionalJobs jobs,
    BatchFinalizer finalizer,
    AuditLog audit,
    Metrics.EngineMetrics metrics,
    ILogger<BatchControl> logger)
{
    /// <summary>
    /// Cancels a batch: queued chunks are cancelled at once (their jobs deleted), running chunks stop at their
    /// next heartbeat and cancel what they have not run; the batch ends <c>cancelled</c> when the last does.
    /// </summary>
    public Task CancelAsync(long batchId, CancellationToken cancellationToken) => CancelAsync(batchId, actor: null, cancellationToken);

    /// <summary>
    /// Cancels a batch on behalf of <paramref name="actor"/> (an API key's or dashboard user's name): the audit entry
    /// <c>batch.cancel</c> commits in the same transaction as the cancel. A null actor records nothing.
    /// </summary>
    public async Task CancelAsync(long batchId, string? actor, CancellationToken cancellationToken)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var root = await CancelOneAsync(transaction, batchId, cancellationToken);
        // A pipeline stops where it is cancelled: every later stage that already exists and is not final is cancelled
        // with it (later stages not created yet never start: a cancelled batch starts no next stage).
        var stages = new List<long>();
        await using (var find = transaction.Command("""
            with recursive later as (
                select id from app.batches where parent_batch_id = @batch
                union all
                select b.id from app.batches b join later l on b.parent_batch_id = l.id
            )
            select b.id from app.batches b join later l on l.id = b.id
            where b.state in ('created', 'running') order by b.id
            """))
        {
            find.Parameters.AddWithValue("batch", batchId);
            await using var reader = await find.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                stages.Add(reader.GetInt64(0));
            }
        }
        var cancelled = new List<Cancelled>();
        if (root is not null)
        {
            cancelled.Add(root.Value);
        }
        foreach (var stage in stages)
        {
            if (await CancelOneAsync(transaction, stage, cancellationToken) is { } later)
            {
                cancelled.Add(later);
            }
        }
        if (cancelled.Count == 0)
        {
            throw new BatchConflictException($"Batch {batchId} is already {await StateOfAsync(transaction, batchId, cancellationToken)}; only a created or running batch (or a pipeline with a later stage still open) can be cancelled.");
        }
        var queuedChunks = root?.QueuedChunks ?? 0;
        if (actor is not null)
        {
            await audit.RecordAsync(transaction, actor, AuditActions.BatchCancel, $"batch:{batchId}",
                new { queuedChunksCancelled = queuedChunks, laterStagesCancelled = cancelled.Count - (root is null ? 0 : 1) }, cancellationToken);
        }
        transaction.Complete();
        await transaction.DisposeAsync();
        foreach (var batch in cancelled)
        {
            metrics.CountItems(batch.WorkerType, Metrics.ItemOutcomes.Cancelled, batch.CancelledItems);
        }
        LogCancelled(logger, batchId, queuedChunks, cancelled.Count - (root is null ? 0 : 1));
    }

    /// <summary>What cancelling one batch did at once: its queued chunks and their items.</summary>
    private readonly record struct Cancelled(string WorkerType, int QueuedChunks, int CancelledItems);

    /// <summary>
    /// Asks one batch to cancel in the caller's transaction: its queued chunks are cancelled at once (their jobs deleted),
    /// running chunks stop at their next heartbeat. Null when the batch is already final (nothing changed). Throws
    /// <see cref="BatchNotFoundException"/> when there is no such batch.
    /// </summary>
    private async Task<Cancelled?> CancelOneAsync(AppTransaction transaction, long batchId, CancellationToken cancellationToken)
    {
        var queued = new List<(long Id, int First, int Count, string? JobId)>();
        await using (var lockChunks = transaction.Command("""
            select id, first_item, item_count, hangfire_job_id, state from app.chunks
            where batch_id = @batch and state in ('queued', 'running') order by id for update
            """))
        {
            lockChunks.Parameters.AddWithValue("batch", batchId);
            await using var reader = await lockChunks.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetString(4) == ChunkStates.Queued)
                {
                    queued.Add((reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.IsDBNull(3) ? null : reader.GetString(3)));
                }
            }
        }
        string workerType;
        await using (var request = transaction.Command("""
            update app.batches set cancel_requested_at = coalesce(cancel_requested_at, now())
            where id = @batch and state in ('created', 'running') returning worker_type
            """))
        {
            request.Parameters.AddWithValue("batch", batchId);
            if (await request.ExecuteScalarAsync(cancellationToken) is not string type)
            {
                _ = await StateOfAsync(transaction, batchId, cancellationToken); // throws when there is no such batch
                return null;
            }
            workerType = type;
        }
        var client = jobs.On(transaction);
        var cancelledItems = 0;
        foreach (var chunk in queued)
        {
            cancelledItems += await ChunkStore.CloseAsync(transaction, chunk.Id, batchId, chunk.First, chunk.Count, ItemStates.Cancelled, null, cancellationToken);
            if (chunk.JobId is not null)
            {
                client.Delete(chunk.JobId);
            }
        }
        await finalizer.TryFinalizeAsync(transaction, batchId, cancellationToken);
        return new Cancelled(workerType, queued.Count, cancelledItems);
    }

    private static async Task<string> StateOfAsync(AppTransaction transaction, long batchId, CancellationToken cancellationToken)
    {
        await using var read = transaction.Command("select state from app.batches where id = @batch");
        read.Parameters.AddWithValue("batch", batchId);
        return (string?)await read.ExecuteScalarAsync(cancellationToken) ?? throw new BatchNotFoundException(batchId);
    }

    /// <summary>
    /// Reruns a final batch: reopens the items in scope (optionally of one chunk only), gives their chunks
    /// new jobs under a new epoch, and starts a new run of the batch, whose continuation fires again when it ends.
    /// </summary>
    public Task<int> RerunAsync(long batchId, RerunScope scope, int? chunkNo, CancellationToken cancellationToken) =>
        RerunAsync(batchId, scope, chunkNo, actor: null, cancellationToken);

    /// <summary>
    /// Reruns a batch on behalf of <paramref name="actor"/>: the audit entry <c>batch.rerun</c> (scope, chunk, chunks
    /// requeued) commits in the same transaction as the rerun. A null actor records nothing.
    /// </summary>
    public async Task<int> RerunAsync(long batchId, RerunScope scope, int? chunkNo, string? actor, CancellationToken cancellationToken)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        await using (var lockChunks = transaction.Command("select id from app.chunks where batch_id = @batch order by id for update"))
        {
            lockChunks.Parameters.AddWithValue("batch", batchId);
            await lockChunks.ExecuteNonQueryAsync(cancellationToken);
        }
        string workerType, priority;
        int chunkSize;
        await using (var lockBatch = transaction.Command("select state, worker_type, priority, chunk_size from app.batches where id = @batch for update"))
        {
            lockBatch.Parameters.AddWithValue("batch", batchId);
            await using var reader = await lockBatch.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                throw new BatchNotFoundException(batchId);
            }
            if (!BatchStates.IsFinal(reader.GetString(0)))
            {
                throw new BatchConflictException($"Batch {batchId} is still {reader.GetString(0)}; rerun it once it is final (or cancel it first).");
            }
            (workerType, priority, chunkSize) = (reader.GetString(1), reader.GetString(2), reader.GetInt32(3));
        }

        var (chunkIds, oldJobs) = await ChunkStore.ReopenForRerunAsync(transaction, batchId, scope == RerunScope.All, chunkNo, chunkSize, cancellationToken);
        if (chunkIds.Count == 0)
        {
            throw new BatchConflictException($"Batch {batchId} has no items to rerun in scope '{scope.ToString().ToLowerInvariant()}'.");
        }
        await using (var restart = transaction.Command("""
            update app.batches set state = 'running', run_no = run_no + 1, finished_at = null, cancel_requested_at = null, run_started_at = now()
            where id = @batch
            """))
        {
            restart.Parameters.AddWithValue("batch", batchId);
            await restart.ExecuteNonQueryAsync(cancellationToken);
        }
        await scheduler.EnqueueAsync(transaction, chunkIds, workerType, Priorities.Parse(priority), cancellationToken, oldJobs);
        if (actor is not null)
        {
            await audit.RecordAsync(transaction, actor, AuditActions.BatchRerun, $"batch:{batchId}",
                new { scope = scope.ToString().ToLowerInvariant(), chunkNo, chunksRequeued = chunkIds.Count }, cancellationToken);
        }
        transaction.Complete();
        LogRerun(logger, batchId, scope, chunkIds.Count);
        return chunkIds.Count;
    }

    [LoggerMessage(EventId = LogEventIds.BatchControlCancelled, Level = LogLevel.Information, Message = "Batch {BatchId} cancel requested; {QueuedChunks} queued chunk(s) cancelled at once, {LaterStages} later pipeline stage(s) cancelled")]
    private static partial void LogCancelled(ILogger logger, long batchId, int queuedChunks, int laterStages);

    [LoggerMessage(EventId = LogEventIds.BatchControlRerun, Level = LogLevel.Information, Message = "Batch {BatchId} rerun ({Scope}): {Chunks} chunk(s) requeued")]
    private static partial void LogRerun(ILogger logger, long batchId, RerunScope scope, int chunks);
}
