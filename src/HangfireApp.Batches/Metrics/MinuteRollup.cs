using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Metrics;

/// <summary>
/// Keeps the minute rollups the dashboard's charts read: every few seconds each host adds the item outcomes it
/// counted to <c>app.throughput_minutes</c> (one upsert per worker type, whatever the number of chunks), and once a
/// minute the cluster's queue depths go to <c>app.queue_depth_minutes</c>. Rows older than two days are dropped.
/// </summary>
internal sealed partial class MinuteRollup(
    NpgsqlDataSource dataSource,
    EngineMetrics metrics,
    ClusterGauges gauges,
    ILogger<MinuteRollup> logger) : BackgroundService
{
    public static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan KeepFor = TimeSpan.FromDays(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(FlushEvery);
        var lastDepthMinute = DateTime.MinValue;
        var lastPrune = DateTime.MinValue;
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await SaveOutcomesAsync(stoppingToken);
                var minute = Minute(DateTime.UtcNow);
                if (minute != lastDepthMinute)
                {
                    await SaveQueueDepthsAsync(minute, stoppingToken);
                    lastDepthMinute = minute;
                }
                if (DateTime.UtcNow - lastPrune > TimeSpan.FromHours(1))
                {
                    await PruneAsync(stoppingToken);
                    lastPrune = DateTime.UtcNow;
                }
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException && !stoppingToken.IsCancellationRequested)
            {
                LogRollupFailed(logger, e.Message); // counts were given back; the next tick writes them
            }
        }
    }

    internal async Task SaveOutcomesAsync(CancellationToken cancellationToken)
    {
        var taken = metrics.TakeUnsaved();
        if (taken.Count == 0)
        {
            return;
        }
        try
        {
            await using var command = dataSource.CreateCommand("""
                insert into app.throughput_minutes as t (minute, worker_type, succeeded, failed, retried, cancelled)
                select @minute, * from unnest(@types, @succeeded, @failed, @retried, @cancelled)
                on conflict (minute, worker_type) do update
                set succeeded = t.succeeded + excluded.succeeded, failed = t.failed + excluded.failed,
                    retried = t.retried + excluded.retried, cancelled = t.cancelled + excluded.cancelled
                """);
            command.Parameters.AddWithValue("minute", Minute(DateTime.UtcNow));
            command.Parameters.AddWithValue("types", NpgsqlDbType.Array | NpgsqlDbType.Text, taken.Select(t => t.WorkerType).ToArray());
            for (var i = 0; i < 4; i++)
            {
                var name = i switch { 0 => "succeeded", 1 => "failed", 2 => "retried", _ => "cancelled" };
                command.Parameters.AddWithValue(name, NpgsqlDbType.Array | NpgsqlDbType.Bigint, taken.Select(t => t.Counts[i]).ToArray());
            }
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch
        {
            foreach (var (workerType, counts) in taken)
            {
                metrics.GiveBack(workerType, counts);
            }
            throw;
        }
    }

    private async Task SaveQueueDepthsAsync(DateTime minute, CancellationToken cancellationToken)
    {
        var reading = await gauges.ReadAsync(cancellationToken);
        await using var command = dataSource.CreateCommand("""
            insert into app.queue_depth_minutes (minute, queue, depth, oldest_age_seconds)
            select @minute, * from unnest(@queues, @depths, @ages)
            on conflict (minute, queue) do update set depth = excluded.depth, oldest_age_seconds = excluded.oldest_age_seconds
            """);
        command.Parameters.AddWithValue("minute", minute);
        command.Parameters.AddWithValue("queues", NpgsqlDbType.Array | NpgsqlDbType.Text, reading.Queues.Select(q => q.Queue).ToArray());
        command.Parameters.AddWithValue("depths", NpgsqlDbType.Array | NpgsqlDbType.Bigint, reading.Queues.Select(q => q.Depth).ToArray());
        command.Parameters.AddWithValue("ages", NpgsqlDbType.Array | NpgsqlDbType.Double, reading.Queues.Select(q => q.OldestAgeSeconds).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("delete from app.throughput_minutes where minute < now() - @keep") { Parameters = { new NpgsqlParameter("keep", KeepFor) } });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("delete from app.queue_depth_minutes where minute < now() - @keep") { Parameters = { new NpgsqlParameter("keep", KeepFor) } });
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private static DateTime Minute(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);

    [LoggerMessage(EventId = LogEventIds.MinuteRollupRollupFailed, Level = LogLevel.Warning, Message = "Could not write the minute rollups: {Reason}; trying again shortly")]
    private static partial void LogRollupFailed(ILogger logger, string reason);
}
