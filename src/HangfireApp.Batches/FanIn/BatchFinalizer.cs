using System.Text.Json;
using Hangfire.States;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.States;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.FanIn;

/// <summary>
/// The fan-in. Called in the transaction that makes a chunk final (and by the repair sweep): if every
/// chunk of the batch is final, it finalises the batch and creates its continuation — exactly once per
/// run, guaranteed by the batch row lock, the state check under it, and the unique (batch, run) key.
/// </summary>
public sealed partial class BatchFinalizer(
    ChunkScheduler chunks,
    TransactionalJobs jobs,
    WorkerTypeRegistry workerTypes,
    ILogger<BatchFinalizer> logger)
{
    public async Task<bool> TryFinalizeAsync(AppTransaction transaction, long batchId, CancellationToken cancellationToken)
    {
        await using var lockBatch = transaction.Command("""
            select state, run_no, cancel_requested_at is not null, continuation::text, priority, worker_type
            from app.batches where id = @batch for update
            """);
        lockBatch.Parameters.AddWithValue("batch", batchId);
        string state;
        int runNo;
        bool cancelRequested;
        string? continuation;
        string priority;
        string workerType;
        await using (var reader = await lockBatch.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }
            (state, runNo, cancelRequested, continuation, priority, workerType) =
                (reader.GetString(0), reader.GetInt32(1), reader.GetBoolean(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4), reader.GetString(5));
        }
        if (BatchStates.IsFinal(state))
        {
            return false;
        }

        // A statement after the lock: it sees every chunk committed by transactions that held the lock before us.
        await using var count = transaction.Command("""
            select count(*) filter (where state in ('queued', 'running')),
                   coalesce(sum(succeeded_items), 0), coalesce(sum(failed_items), 0), coalesce(sum(cancelled_items), 0)
            from app.chunks where batch_id = @batch
            """);
        count.Parameters.AddWithValue("batch", batchId);
        long open, succeeded, failed, cancelled;
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            (open, succeeded, failed, cancelled) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        }
        if (open > 0)
        {
            return false;
        }

        var finalState = cancelRequested ? BatchStates.Cancelled
            : failed == 0 && cancelled == 0 ? BatchStates.Succeeded
            : succeeded == 0 ? BatchStates.Failed
            : BatchStates.CompletedWithFailures;
        await using (var finish = transaction.Command("""
            update app.batches set state = @state, finished_at = now(), run_started_at = null,
                active_seconds = active_seconds + coalesce(greatest(0, extract(epoch from now() - run_started_at)), 0)
            where id = @batch
            """))
        {
            finish.Parameters.AddWithValue("state", finalState);
            finish.Parameters.AddWithValue("batch", batchId);
            await finish.ExecuteNonQueryAsync(cancellationToken);
        }
        LogFinalized(logger, batchId, finalState, succeeded, failed, cancelled);

        if (workerTypes.TryGet(workerType, out var type) && type.FinalHandlerType is not null)
        {
            jobs.On(transaction).Create<BatchFinalJob>(job => job.RunAsync(batchId, runNo, CancellationToken.None), new EnqueuedState(QueueNames.Maintenance));
        }

        if (continuation is not null)
        {
            var spec = JsonSerializer.Deserialize<ContinuationJson>(continuation, ContinuationJson.Options)!.ToSpec();
            await CreateContinuationAsync(transaction, batchId, runNo, finalState, Priorities.Parse(priority), spec, cancellationToken);
        }
        return true;
    }

    private async Task CreateContinuationAsync(AppTransaction transaction, long batchId, int runNo, string batchState, Priority priority, ContinuationSpec spec, CancellationToken cancellationToken)
    {
        var conditionMet = spec.Condition == ContinuationCondition.OnAnyFinal || batchState == BatchStates.Succeeded;
        await using var insert = transaction.Command("""
            insert into app.continuations (batch_id, run_no, condition, state, batch_state, webhook_url, webhook_state)
            values (@batch, @run, @condition, @state, @batchState, @webhook, @webhookState)
            on conflict (batch_id, run_no) do nothing
            returning id
            """);
        insert.Parameters.AddWithValue("batch", batchId);
        insert.Parameters.AddWithValue("run", runNo);
        insert.Parameters.AddWithValue("condition", spec.Condition == ContinuationCondition.OnAnyFinal ? "on_any_final" : "on_success");
        insert.Parameters.AddWithValue("state", conditionMet ? "started" : "skipped");
        insert.Parameters.AddWithValue("batchState", batchState);
        insert.Parameters.AddWithValue("webhook", (object?)spec.WebhookUrl ?? DBNull.Value);
        insert.Parameters.AddWithValue("webhookState", conditionMet && spec.WebhookUrl is not null ? "pending" : DBNull.Value);
        if (await insert.ExecuteScalarAsync(cancellationToken) is not long continuationId || !conditionMet)
        {
            return;
        }

        // A cancelled batch starts no next stage, whatever the condition: cancelling a pipeline stops it there (its
        // webhook, if any, still tells that the stage ended).
        if (spec.Next is { } next && batchState != BatchStates.Cancelled)
        {
            if (!workerTypes.TryGet(next.WorkerType, out _))
            {
                // Validated at submit, but disabled since: the pipeline cannot go on, and must not fail the fan-in for it.
                await using var fail = transaction.Command("update app.continuations set state = 'failed' where id = @id");
                fail.Parameters.AddWithValue("id", continuationId);
                await fail.ExecuteNonQueryAsync(cancellationToken);
                LogNextStageUnknown(logger, batchId, next.WorkerType);
            }
            else
            {
                var childId = await StartNextStageAsync(transaction, batchId, priority, next, cancellationToken);
                await using var link = transaction.Command("update app.continuations set next_batch_id = @child, state = @state where id = @id");
                link.Parameters.AddWithValue("child", (object?)childId ?? DBNull.Value);
                link.Parameters.AddWithValue("state", childId is null && spec.WebhookUrl is null ? "completed" : "started");
                link.Parameters.AddWithValue("id", continuationId);
                await link.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        if (spec.WebhookUrl is not null)
        {
            jobs.On(transaction).Create<WebhookJob>(job => job.DeliverAsync(continuationId, CancellationToken.None), new EnqueuedState(QueueNames.Maintenance));
        }
    }

    /// <summary>
    /// A child batch whose items are the succeeded items' results — or, for an item that emitted items, those items —
    /// in input order (item n's outputs before item n+1's); null when there are none. The child carries the stage's own
    /// continuation, so the pipeline goes on from it.
    /// </summary>
    private async Task<long?> StartNextStageAsync(AppTransaction transaction, long parentId, Priority parentPriority, NextStage next, CancellationToken cancellationToken)
    {
        var workerType = workerTypes.Get(next.WorkerType);
        var chunkSize = next.ChunkSize ?? workerType.Options.ChunkSize;
        var priority = next.Priority ?? parentPriority;
        var request = new SubmitBatch(next.WorkerType, [], chunkSize, priority, $"Stage after batch {parentId}", next.Continuation);
        var childId = await BatchSubmitter.InsertBatchAsync(transaction, request, chunkSize, parentId, cancellationToken)
            ?? throw new InvalidOperationException("A child batch has no idempotency key and cannot conflict.");
        await using var copy = transaction.Command("""
            insert into app.items (batch_id, item_no, payload)
            select @child, (row_number() over (order by i.item_no, o.n) - 1)::int, coalesce(o.item, i.result, 'null'::jsonb)
            from app.items i
            left join lateral jsonb_array_elements(case when jsonb_typeof(i.outputs) = 'array' then i.outputs end)
                with ordinality as o(item, n) on true
            -- An item that emitted an empty list hands nothing on; one without outputs hands on its result.
            where i.batch_id = @parent and i.state = 'succeeded' and (i.outputs is null or o.n is not null)
            """);
        copy.Parameters.AddWithValue("child", childId);
        copy.Parameters.AddWithValue("parent", parentId);
        var total = await copy.ExecuteNonQueryAsync(cancellationToken);
        if (total == 0)
        {
            await using var drop = transaction.Command("delete from app.batches where id = @child");
            drop.Parameters.AddWithValue("child", childId);
            await drop.ExecuteNonQueryAsync(cancellationToken);
            return null;
        }
        await using (var size = transaction.Command("update app.batches set total_items = @total where id = @child"))
        {
            size.Parameters.AddWithValue("total", total);
            size.Parameters.AddWithValue("child", childId);
            await size.ExecuteNonQueryAsync(cancellationToken);
        }
        await chunks.CreateChunksAsync(transaction, childId, total, chunkSize, next.WorkerType, priority, cancellationToken);
        LogNextStage(logger, parentId, childId, next.WorkerType, total);
        return childId;
    }

    [LoggerMessage(EventId = LogEventIds.BatchFinalizerFinalized, Level = LogLevel.Information, Message = "Batch {BatchId} finished {State}: {Succeeded} succeeded, {Failed} failed, {Cancelled} cancelled")]
    private static partial void LogFinalized(ILogger logger, long batchId, string state, long succeeded, long failed, long cancelled);

    [LoggerMessage(EventId = LogEventIds.BatchFinalizerNextStageUnknown, Level = LogLevel.Warning, Message = "Batch {BatchId} cannot start its next stage: worker type {WorkerType} is not enabled here")]
    private static partial void LogNextStageUnknown(ILogger logger, long batchId, string workerType);

    [LoggerMessage(EventId = LogEventIds.BatchFinalizerNextStage, Level = LogLevel.Information, Message = "Batch {BatchId} started its next stage: batch {ChildId} ({WorkerType}, {Items} items)")]
    private static partial void LogNextStage(ILogger logger, long batchId, long childId, string workerType, int items);
}
