using System.ComponentModel;
using Hangfire;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Storage;
using Microsoft.Extensions.Logging;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Sweeps;

/// <summary>
/// Finalises batches whose chunks are all final but the batch is not — normally impossible, since the
/// last chunk's transaction finalises its batch, but cheap insurance. The continuation is still created
/// exactly once: the same fan-in code runs, under the same lock and unique key.
/// </summary>
public sealed partial class RepairBatchesSweep(NpgsqlDataSource dataSource, BatchFinalizer finalizer, ILogger<RepairBatchesSweep> logger)
{
    public const string RecurringJobId = "repair-batches";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Sweep: repair batches")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await using var find = dataSource.CreateCommand("""
            select b.id from app.batches b
            where b.state in ('created', 'running')
              and exists (select 1 from app.chunks c where c.batch_id = b.id)
              and not exists (select 1 from app.chunks c where c.batch_id = b.id and c.state in ('queued', 'running'))
            limit 100
            """);
        var ids = new List<long>();
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        foreach (var id in ids)
        {
            await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
            if (await finalizer.TryFinalizeAsync(transaction, id, cancellationToken))
            {
                LogRepaired(logger, id);
            }
            transaction.Complete();
        }
    }

    [LoggerMessage(EventId = LogEventIds.RepairBatchesSweepRepaired, Level = LogLevel.Warning, Message = "Batch {BatchId} was complete but not final: finalised by the repair sweep")]
    private static partial void LogRepaired(ILogger logger, long batchId);
}
