using System.ComponentModel;
using Hangfire;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Sweeps;

/// <summary>
/// Rescues chunks that stopped making progress: running with a heartbeat older than the stall timeout
/// (a killed or hung worker), queued with a job that a worker fetched longer than the stall timeout ago but
/// never claimed (killed between the two), or whose Hangfire job is gone, deleted, failed or finished while
/// the chunk is not. Each rescue bumps the lease epoch — fencing out the old worker — and gives the chunk a new job.
/// </summary>
public sealed partial class StalledChunksSweep(
    NpgsqlDataSource dataSource,
    ChunkScheduler scheduler,
    IJobConsoleFactory consoles,
    Metrics.EngineMetrics metrics,
    IOptions<SweepOptions> options,
    ILogger<StalledChunksSweep> logger)
{
    public const string RecurringJobId = "stalled-chunks";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Sweep: rescue stalled chunks")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var rescued = await RescueAsync(cancellationToken);
        if (rescued > 0)
        {
            LogRescued(logger, rescued);
        }
    }

    public async Task<int> RescueAsync(CancellationToken cancellationToken)
    {
        var rescued = await RequeueStalledAsync(cancellationToken);
        foreach (var chunk in rescued)
        {
            LogChunkRescued(logger, chunk.Id, chunk.JobId);
        }
        await TellOldJobsAsync(rescued.Where(chunk => chunk.JobId is not null).Select(chunk => (chunk.Id, chunk.JobId!)).ToList(), cancellationToken);
        return rescued.Count;
    }

    private async Task<List<(long Id, string? JobId, string WorkerType, string Priority)>> RequeueStalledAsync(CancellationToken cancellationToken)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var rescued = await ChunkStore.RescueStalledAsync(transaction, options.Value.HangfireSchema, options.Value.StallTimeout, cancellationToken);
        foreach (var group in rescued.GroupBy(chunk => (chunk.WorkerType, chunk.Priority)))
        {
            await scheduler.EnqueueAsync(transaction, [.. group.Select(chunk => chunk.Id)], group.Key.WorkerType,
                Priorities.Parse(group.Key.Priority), cancellationToken, [.. group.Select(chunk => chunk.JobId)]);
        }
        transaction.Complete();
        await transaction.DisposeAsync();
        foreach (var group in rescued.GroupBy(chunk => chunk.WorkerType, StringComparer.Ordinal))
        {
            metrics.CountRescued(group.Key, group.Count());
        }
        return rescued;
    }

    /// <summary>Says on each old job's console where its chunk went, so an operator reading it is not left guessing.</summary>
    private async Task TellOldJobsAsync(List<(long ChunkId, string OldJobId)> rescued, CancellationToken cancellationToken)
    {
        if (rescued.Count == 0)
        {
            return;
        }
        await using var find = dataSource.CreateCommand("select id, hangfire_job_id, lease_epoch from app.chunks where id = any(@ids)");
        find.Parameters.AddWithValue("ids", rescued.Select(chunk => chunk.ChunkId).ToArray());
        var now = new Dictionary<long, (string? JobId, int Epoch)>();
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                now[reader.GetInt64(0)] = (reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetInt32(2));
            }
        }
        foreach (var (chunkId, oldJobId) in rescued)
        {
            if (!long.TryParse(oldJobId, System.Globalization.CultureInfo.InvariantCulture, out _) || !now.TryGetValue(chunkId, out var current))
            {
                continue;
            }
            await using var console = consoles.Open(oldJobId, "Rescue");
            console.WriteLine($"Chunk {chunkId} rescued by the stalled-chunks sweep (heartbeat older than {options.Value.StallTimeout.TotalSeconds:0} s, this job fetched but never started, or gone): continues as job {current.JobId} under epoch {current.Epoch}; this job's late writes are fenced out",
                ConsoleTextColor.Red);
        }
    }

    [LoggerMessage(EventId = LogEventIds.StalledChunksSweepRescued, Level = LogLevel.Warning, Message = "Rescued {Count} stalled chunk(s)")]
    private static partial void LogRescued(ILogger logger, int count);

    [LoggerMessage(EventId = LogEventIds.StalledChunksSweepChunkRescued, Level = LogLevel.Warning, Message = "Chunk {ChunkId} rescued from job {OldJobId}: requeued under a new epoch")]
    private static partial void LogChunkRescued(ILogger logger, long chunkId, string? oldJobId);
}
