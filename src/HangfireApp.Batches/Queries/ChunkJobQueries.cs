using Npgsql;

namespace HangfireApp.Batches.Queries;

/// <summary>A chunk job as its Hangfire job page explains it.</summary>
public sealed record ChunkJobView(
    long ChunkId, long BatchId, int ChunkNo, int FirstItem, int ItemCount, string State, int Attempt, string WorkerType,
    int Succeeded, int Failed, int Cancelled, string? LastError, string BatchState);

/// <summary>What a chunk's Hangfire job is doing while the chunk waits: its state, the reason, and when it runs next.</summary>
public sealed record ChunkJobWait(string JobId, string JobState, string? Reason, DateTime? EnqueueAt);

/// <summary>
/// Reads for the dashboard's honest job pages: the chunk behind a chunk job (title, batch, outcome), and the
/// Hangfire state of chunk jobs (waiting for a retry at a time, or held back by a pause or a cap).
/// </summary>
public sealed class ChunkJobQueries(NpgsqlDataSource dataSource, Microsoft.Extensions.Options.IOptions<SweepOptions> sweeps)
{
    private readonly string _schema = sweeps.Value.HangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);

    public ChunkJobView? Get(long chunkId)
    {
        // Hangfire renders its pages synchronously: one indexed lookup.
        using var command = dataSource.CreateCommand("""
            select c.id, c.batch_id, c.chunk_no, c.first_item, c.item_count, c.state, c.attempt, b.worker_type,
                   c.succeeded_items, c.failed_items, c.cancelled_items, c.last_error, b.state
            from app.chunks c join app.batches b on b.id = c.batch_id where c.id = @id
            """);
        command.Parameters.AddWithValue("id", chunkId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ChunkJobView(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetString(5),
                reader.GetInt32(6), reader.GetString(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10),
                reader.IsDBNull(11) ? null : reader.GetString(11), reader.GetString(12))
            : null;
    }

    /// <summary>The current Hangfire state of these jobs, in one query.</summary>
    public async Task<IReadOnlyDictionary<string, ChunkJobWait>> WaitsAsync(IReadOnlyCollection<string> jobIds, CancellationToken cancellationToken)
    {
        var ids = jobIds.Select(id => long.TryParse(id, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : -1).Where(n => n > 0).ToArray();
        var waits = new Dictionary<string, ChunkJobWait>(StringComparer.Ordinal);
        if (ids.Length == 0)
        {
            return waits;
        }
        await using var command = dataSource.CreateCommand($"""
            select j.id, j.statename, s.reason, s.data::jsonb ->> 'EnqueueAt'
            from "{_schema}".job j left join "{_schema}".state s on s.id = j.stateid
            where j.id = any(@ids)
            """);
        command.Parameters.AddWithValue("ids", ids);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0).ToString(System.Globalization.CultureInfo.InvariantCulture);
            waits[id] = new ChunkJobWait(id, reader.IsDBNull(1) ? "" : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2),
                reader.IsDBNull(3) ? null : ParseEnqueueAt(reader.GetString(3)));
        }
        return waits;
    }

    /// <summary>Hangfire stores a Scheduled state's time as Unix milliseconds (older versions: a date string).</summary>
    public static DateTime? ParseEnqueueAt(string? text)
    {
        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var ms))
        {
            return DateTime.UnixEpoch.AddMilliseconds(ms);
        }
        return DateTime.TryParse(text, System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AdjustToUniversal | System.Globalization.DateTimeStyles.AssumeUniversal, out var at) ? at : null;
    }
}
