using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.WorkerTypes;
using Npgsql;

namespace HangfireApp.Batches.Chunks;

/// <summary>How a chunk run ends.</summary>
public enum ChunkEnd
{
    /// <summary>Failed items get another attempt: the chunk goes back to queued.</summary>
    Retry,

    /// <summary>The chunk is done: items still pending become failed (with <c>reason</c>).</summary>
    Final,

    /// <summary>The batch was cancelled: items still pending become cancelled.</summary>
    Cancel,
}

/// <summary>
/// Ends a chunk run in one fenced transaction: closes its leftover items, sets its final state, and runs the
/// fan-in in that same transaction (which may enqueue the continuation's jobs, hence an <see cref="AppTransaction"/>).
/// </summary>
public sealed class ChunkFinisher(NpgsqlDataSource dataSource, BatchFinalizer finalizer, Metrics.EngineMetrics metrics)
{
    /// <summary>False when the lease was lost (a rescue owns the chunk now): nothing was written.</summary>
    /// <param name="claim">The run's claim; every write is fenced by its epoch.</param>
    /// <param name="end">How the run ends.</param>
    /// <param name="reason">With <see cref="ChunkEnd.Final"/>: the error of the items still pending.</param>
    /// <param name="cancellationToken">Cancels the transaction.</param>
    /// <param name="giveAttemptBack">With <see cref="ChunkEnd.Retry"/>: the next claim gets this run's attempt number again
    /// (a run its handler stopped after finishing items; see <see cref="IChunkContext.RequestStop"/>).</param>
    public async Task<bool> FinishAsync(ChunkClaim claim, ChunkEnd end, string? reason, CancellationToken cancellationToken, bool giveAttemptBack = false)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        if ((await ChunkStore.LockLeaseAsync(transaction.Connection, null, claim, cancellationToken)).Lost)
        {
            return false;
        }
        if (end == ChunkEnd.Retry)
        {
            await using var requeue = transaction.Command(
                "update app.chunks set state = 'queued', heartbeat_at = now(), attempt = attempt - case when @back then 1 else 0 end where id = @chunk");
            requeue.Parameters.AddWithValue("chunk", claim.ChunkId);
            requeue.Parameters.AddWithValue("back", giveAttemptBack);
            await requeue.ExecuteNonQueryAsync(cancellationToken);
            transaction.Complete();
            return true;
        }

        var closed = await CloseChunkAsync(transaction, claim.ChunkId, claim.BatchId, claim.FirstItem, claim.ItemCount,
            end == ChunkEnd.Cancel ? "cancelled" : "failed", reason, cancellationToken);
        await finalizer.TryFinalizeAsync(transaction, claim.BatchId, cancellationToken);
        transaction.Complete();
        await transaction.DisposeAsync();
        metrics.CountItems(claim.WorkerType, end == ChunkEnd.Cancel ? Metrics.ItemOutcomes.Cancelled : Metrics.ItemOutcomes.Failed, closed);
        return true;
    }

    /// <summary>Closes the chunk's pending items as <paramref name="closeAs"/> and gives the chunk its final
    /// state from its counters. The caller holds the chunk row lock. Returns how many items it closed.</summary>
    internal static async Task<int> CloseChunkAsync(AppTransaction transaction, long chunkId, long batchId, int firstItem, int itemCount, string closeAs, string? reason, CancellationToken cancellationToken)
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
}
