using Hangfire.States;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.WorkerTypes;
using NpgsqlTypes;

namespace HangfireApp.Batches.Chunks;

/// <summary>
/// Creates chunk rows and their Hangfire jobs inside an <see cref="AppTransaction"/>: the one place where
/// chunk jobs are born (submit, pipeline stages, reruns, rescues), always in the caller's transaction.
/// </summary>
public sealed class ChunkScheduler(TransactionalJobs jobs, WorkerTypeRegistry workerTypes)
{
    /// <summary>Splits items [0, total) of a new batch into chunks and enqueues one job per chunk.</summary>
    public async Task CreateChunksAsync(AppTransaction transaction, long batchId, int totalItems, int chunkSize, string workerType, Priority priority, CancellationToken cancellationToken)
    {
        if (totalItems == 0)
        {
            return;
        }
        var chunkIds = await ChunkStore.InsertAsync(transaction, batchId, totalItems, chunkSize, cancellationToken);
        await EnqueueAsync(transaction, chunkIds, workerType, priority, cancellationToken);
    }

    /// <summary>Creates a new job for each chunk on its worker type's priority queue and records it.
    /// The old job of a chunk (if any) is deleted, so only the new one can claim the chunk.</summary>
    public async Task EnqueueAsync(AppTransaction transaction, IReadOnlyList<long> chunkIds, string workerType, Priority priority, CancellationToken cancellationToken, IReadOnlyList<string?>? oldJobIds = null)
    {
        if (chunkIds.Count == 0)
        {
            return;
        }
        var client = jobs.On(transaction);
        var queue = QueueNames.ForPriority(workerTypes.Get(workerType).Queue, priority);
        var jobIds = new string[chunkIds.Count];
        for (var i = 0; i < chunkIds.Count; i++)
        {
            var chunkId = chunkIds[i];
            jobIds[i] = client.Create<ChunkJob>(job => job.RunAsync(chunkId, null, CancellationToken.None), new EnqueuedState(queue));
            if (oldJobIds?[i] is { } oldJobId)
            {
                client.Delete(oldJobId);
            }
        }
        await using var update = transaction.Command("""
            update app.chunks c set hangfire_job_id = j.job_id
            from unnest(@ids, @jobs) as j(chunk_id, job_id)
            where c.id = j.chunk_id
            """);
        update.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, chunkIds.ToArray());
        update.Parameters.AddWithValue("jobs", NpgsqlDbType.Array | NpgsqlDbType.Text, jobIds);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
