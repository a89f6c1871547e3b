using Npgsql;

namespace HangfireApp.Batches.Metrics;

/// <summary>One minute of a worker type's item outcomes.</summary>
public sealed record ThroughputMinute(DateTime Minute, string WorkerType, long Succeeded, long Failed, long Retried, long Cancelled);

/// <summary>One minute's reading of a queue.</summary>
public sealed record QueueDepthMinute(DateTime Minute, string Queue, long Depth);

/// <summary>The minute rollups (<see cref="MinuteRollup"/>) behind the dashboard's charts: a few hundred rows an hour.</summary>
public sealed class ChartQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<ThroughputMinute>> ThroughputAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select minute, worker_type, succeeded, failed, retried, cancelled from app.throughput_minutes
            where minute >= date_trunc('minute', now() - @window) order by minute, worker_type
            """);
        command.Parameters.AddWithValue("window", window);
        var rows = new List<ThroughputMinute>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new ThroughputMinute(reader.GetDateTime(0), reader.GetString(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5)));
        }
        return rows;
    }

    public async Task<IReadOnlyList<QueueDepthMinute>> QueueDepthAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select minute, queue, depth from app.queue_depth_minutes
            where minute >= date_trunc('minute', now() - @window) order by minute, queue
            """);
        command.Parameters.AddWithValue("window", window);
        var rows = new List<QueueDepthMinute>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new QueueDepthMinute(reader.GetDateTime(0), reader.GetString(1), reader.GetInt64(2)));
        }
        return rows;
    }
}
