using System.Data;
using System.Text.Json;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Outputs;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// When a <c>rows</c> batch is final (each run): writes the output CSV — the input columns, the added columns,
/// then <c>error</c> — one line per input row in input order (items are numbered in upload order), to a temporary
/// file, and stores it as the batch's output (replacing a previous run's). Added columns are the configured ones,
/// or else every column a row's response gave, in ordinal order. Idempotent, so the job may be retried.
/// </summary>
public sealed partial class RowsFinalHandler(
    NpgsqlDataSource dataSource,
    RowsCallStore calls,
    BatchOutputStore outputs,
    IOptions<RowsOptions> options,
    ILogger<RowsFinalHandler> logger) : IBatchFinalHandler
{
    private const string NonRetryablePrefix = "NonRetryableItemException: ";

    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        if (await calls.FindAsync(batch.BatchId, cancellationToken) is not { } stored)
        {
            LogNoCall(logger, batch.BatchId);
            return;
        }
        var added = stored.Call.Columns is { } configured
            ? [.. configured.Select(c => c.Name!)]
            : await FlattenedColumnsAsync(batch.BatchId, cancellationToken);
        var known = added.ToHashSet(StringComparer.Ordinal);

        var path = Path.Combine(Path.GetTempPath(), $"rows-{batch.BatchId}-{Guid.NewGuid():N}.csv");
        await using var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81_920,
            FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        var rows = 0;
        await using (var writer = CsvOutputWriter.Create(file, stored.Columns, added, stored.Delimiter))
        {
            await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            await using var command = new NpgsqlCommand("""
                select payload->'values', result->'columns', state, error from app.items where batch_id = @batch order by item_no
                """, connection);
            command.Parameters.AddWithValue("batch", batch.BatchId);
            await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var values = JsonSerializer.Deserialize<string[]>(reader.GetString(0)) ?? [];
                Dictionary<string, string?>? columns = null;
                if (!reader.IsDBNull(1))
                {
                    columns = JsonSerializer.Deserialize<Dictionary<string, string?>>(reader.GetString(1));
                    foreach (var name in columns?.Keys.Where(name => !known.Contains(name)).ToList() ?? [])
                    {
                        columns!.Remove(name); // beyond MaxAddedColumns
                    }
                }
                var state = reader.GetString(2);
                var error = reader.IsDBNull(3) ? null : reader.GetString(3);
                writer.WriteRow(values, columns, state switch
                {
                    "succeeded" => null,
                    "cancelled" => "cancelled: the batch was cancelled before this row was called",
                    "failed" => error is null ? "failed" : error.StartsWith(NonRetryablePrefix, StringComparison.Ordinal) ? error[NonRetryablePrefix.Length..] : error,
                    _ => "not processed",
                });
                rows++;
            }
            await writer.FlushAsync();
        }
        file.Position = 0;
        await outputs.SaveAsync(batch.BatchId, batch.Run, $"batch-{batch.BatchId}-rows.csv", "text/csv; charset=utf-8", file, cancellationToken);

        await using var forget = dataSource.CreateCommand("delete from app.rate_limits where key = @key");
        forget.Parameters.AddWithValue("key", RowsHandler.RateLimitKey(batch.BatchId));
        await forget.ExecuteNonQueryAsync(cancellationToken);
        LogWritten(logger, batch.BatchId, batch.Run, rows, added.Count, file.Length);
    }

    private async Task<List<string>> FlattenedColumnsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select distinct k collate "C" as name
            from app.items i, jsonb_object_keys(i.result->'columns') k
            where i.batch_id = @batch and jsonb_typeof(i.result->'columns') = 'object'
            order by name
            limit @max
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("max", options.Value.MaxAddedColumns);
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }
        return names;
    }

    [LoggerMessage(EventId = 5311, Level = LogLevel.Warning, Message = "Batch {BatchId} is a rows batch without a stored call: no output written")]
    private static partial void LogNoCall(ILogger logger, long batchId);

    [LoggerMessage(EventId = 5312, Level = LogLevel.Information, Message = "Batch {BatchId} run {Run}: output CSV of {Rows} rows with {Added} added columns, {Bytes} bytes")]
    private static partial void LogWritten(ILogger logger, long batchId, int run, int rows, int added, long bytes);
}
