using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.States;
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
            await ChunkStore.RequeueAsync(transaction, claim.ChunkId, giveAttemptBack, cancellationToken);
            transaction.Complete();
            return true;
        }

        var closed = await ChunkStore.CloseAsync(transaction, claim.ChunkId, claim.BatchId, claim.FirstItem, claim.ItemCount,
            end == ChunkEnd.Cancel ? ItemStates.Cancelled : ItemStates.Failed, reason, cancellationToken);
        await finalizer.TryFinalizeAsync(transaction, claim.BatchId, cancellationToken);
        transaction.Complete();
        await transaction.DisposeAsync();
        metrics.CountItems(claim.WorkerType, end == ChunkEnd.Cancel ? Metrics.ItemOutcomes.Cancelled : Metrics.ItemOutcomes.Failed, closed);
        return true;
    }
}
