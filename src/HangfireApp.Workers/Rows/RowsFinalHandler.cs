using System.Text.Json;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.Outputs;
using HangfireApp.Batches.RateLimits;
using HangfireApp.Batches.States;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// When a <c>rows</c> batch is final (each run): writes the output CSV — the input columns, the added columns,
/// then <c>error</c> — one line per input row in input order (items are numbered in upload order), to a temporary
/// file, and stores it as the batch's output (replacing a previous run's). Added columns are the configured ones,
/// or else every column a row's response gave, in ordinal order. Idempotent, so the job may be retried.
/// </summary>
public sealed partial class RowsFinalHandler(
    FinalItemsReader items,
    SharedRateLimiter rateLimiter,
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
            await foreach (var item in items.ReadAsync(batch.BatchId, cancellationToken))
            {
                var values = item.Payload.TryGetProperty("values", out var given) ? given.Deserialize<string[]>() ?? [] : [];
                var columns = Columns(item.Result);
                foreach (var name in columns?.Keys.Where(name => !known.Contains(name)).ToList() ?? [])
                {
                    columns!.Remove(name); // beyond MaxAddedColumns
                }
                var error = item.Error;
                writer.WriteRow(values, columns, item.State switch
                {
                    ItemStates.Succeeded => null,
                    ItemStates.Cancelled => "cancelled: the batch was cancelled before this row was called",
                    ItemStates.Failed => error is null ? "failed" : error.StartsWith(NonRetryablePrefix, StringComparison.Ordinal) ? error[NonRetryablePrefix.Length..] : error,
                    _ => "not processed",
                });
                rows++;
            }
            await writer.FlushAsync();
        }
        file.Position = 0;
        await outputs.SaveAsync(batch.BatchId, batch.Run, $"batch-{batch.BatchId}-rows.csv", "text/csv; charset=utf-8", file, cancellationToken);

        await rateLimiter.ForgetAsync(RowsHandler.RateLimitKey(batch.BatchId), cancellationToken);
        LogWritten(logger, batch.BatchId, batch.Run, rows, added.Count, file.Length);
    }

    /// <summary>Every column name a row's response gave, in ordinal order, at most MaxAddedColumns of them (a first pass over the items).</summary>
    private async Task<List<string>> FlattenedColumnsAsync(long batchId, CancellationToken cancellationToken)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var item in items.ReadAsync(batchId, cancellationToken))
        {
            foreach (var name in Columns(item.Result)?.Keys ?? Enumerable.Empty<string>())
            {
                names.Add(name);
            }
        }
        return [.. names.Take(options.Value.MaxAddedColumns)];
    }

    private static Dictionary<string, string?>? Columns(JsonElement? result) =>
        result is { ValueKind: JsonValueKind.Object } value && value.TryGetProperty("columns", out var columns) && columns.ValueKind == JsonValueKind.Object
            ? columns.Deserialize<Dictionary<string, string?>>()
            : null;

    [LoggerMessage(EventId = WorkerLogEventIds.RowsFinalHandlerNoCall, Level = LogLevel.Warning, Message = "Batch {BatchId} is a rows batch without a stored call: no output written")]
    private static partial void LogNoCall(ILogger logger, long batchId);

    [LoggerMessage(EventId = WorkerLogEventIds.RowsFinalHandlerWritten, Level = LogLevel.Information, Message = "Batch {BatchId} run {Run}: output CSV of {Rows} rows with {Added} added columns, {Bytes} bytes")]
    private static partial void LogWritten(ILogger logger, long batchId, int run, int rows, int added, long bytes);
}
