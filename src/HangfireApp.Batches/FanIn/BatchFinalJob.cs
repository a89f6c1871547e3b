using System.ComponentModel;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HangfireApp.Batches.FanIn;

/// <summary>
/// What a worker type does once per run when one of its batches is final (assemble an output file,
/// update its own tables). Runs as a Hangfire job created in the fan-in transaction, so it is created
/// exactly once per run; it is retried on failure, so it must be idempotent.
/// </summary>
public interface IBatchFinalHandler
{
    Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken);
}

/// <summary>A batch that just became final.</summary>
public sealed record FinalBatch(long BatchId, int Run, string WorkerType, string State);

/// <summary>The job that calls a worker type's <see cref="IBatchFinalHandler"/>. A stable contract: ids only.</summary>
public sealed class BatchFinalJob(NpgsqlDataSource dataSource, WorkerTypeRegistry workerTypes, IServiceProvider services)
{
    [DisplayName("Batch {0} final (run {1})")]
    public async Task RunAsync(long batchId, int run, CancellationToken cancellationToken)
    {
        await using var read = dataSource.CreateCommand("select worker_type, state from app.batches where id = @id");
        read.Parameters.AddWithValue("id", batchId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return;
        }
        var batch = new FinalBatch(batchId, run, reader.GetString(0), reader.GetString(1));
        if (workerTypes.TryGet(batch.WorkerType, out var workerType) && workerType.FinalHandlerType is { } handlerType)
        {
            var handler = (IBatchFinalHandler)services.GetRequiredService(handlerType);
            await handler.OnBatchFinalAsync(batch, cancellationToken);
        }
    }
}
