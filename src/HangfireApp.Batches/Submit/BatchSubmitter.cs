using System.Text.Json;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Submit;

/// <summary>
/// Creates a batch atomically: the batch row, its items (one binary COPY), its chunks and one Hangfire job
/// per chunk commit in one transaction, or none of them does.
/// </summary>
public sealed partial class BatchSubmitter(
    NpgsqlDataSource dataSource,
    WorkerTypeRegistry workerTypes,
    ChunkScheduler chunks,
    IOptions<BatchLimitsOptions> limits,
    AuditLog audit,
    ILogger<BatchSubmitter> logger)
{
    public Task<SubmitResult> SubmitAsync(SubmitBatch request, CancellationToken cancellationToken) =>
        SubmitAsync(request, actor: null, cancellationToken);

    /// <summary>
    /// Submits on behalf of <paramref name="actor"/> (an API key's or dashboard user's name): a newly created batch gets
    /// the audit entry <c>batch.submit</c> in the same transaction; an idempotent repeat records nothing, as it changes
    /// nothing. A null actor records nothing.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(SubmitBatch request, string? actor, CancellationToken cancellationToken)
    {
        var workerType = Validate(request);
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var result = await SubmitCoreAsync(transaction, request, workerType, cancellationToken);
        if (actor is not null && result.Created)
        {
            await audit.RecordAsync(transaction, actor, AuditActions.BatchSubmit, $"batch:{result.BatchId}",
                new { workerType = request.WorkerType, items = request.Items.Count, priority = Priorities.ToText(request.Priority) }, cancellationToken);
        }
        transaction.Complete();
        if (result.Created)
        {
            LogSubmitted(logger, result.BatchId, request.WorkerType, request.Items.Count, request.ChunkSize ?? workerType.Options.ChunkSize);
        }
        return result;
    }

    /// <summary>
    /// Creates the batch inside the caller's transaction, for callers whose own writes must commit with it
    /// (a sweep that claims rows and submits them as one batch). Nothing is committed here: the batch, its
    /// items, chunks and jobs exist only if the caller completes <paramref name="transaction"/>.
    /// </summary>
    public async Task<SubmitResult> SubmitAsync(AppTransaction transaction, SubmitBatch request, CancellationToken cancellationToken)
    {
        var workerType = Validate(request);
        var result = await SubmitCoreAsync(transaction, request, workerType, cancellationToken);
        if (result.Created)
        {
            LogSubmitted(logger, result.BatchId, request.WorkerType, request.Items.Count, request.ChunkSize ?? workerType.Options.ChunkSize);
        }
        return result;
    }

    private async Task<SubmitResult> SubmitCoreAsync(AppTransaction transaction, SubmitBatch request, WorkerType workerType, CancellationToken cancellationToken)
    {
        if (request.IdempotencyKey is not null && await FindByKeyAsync(transaction, request, cancellationToken) is { } existing)
        {
            return new SubmitResult(existing, Created: false);
        }
        var chunkSize = request.ChunkSize ?? workerType.Options.ChunkSize;
        var batchId = await InsertBatchAsync(transaction, request, chunkSize, parentBatchId: null, cancellationToken);
        if (batchId is null)
        {
            // A concurrent request with the same key committed first; ours waited for it and lost.
            return new SubmitResult(await FindByKeyAsync(transaction, request, cancellationToken) ?? throw new InvalidOperationException("Idempotency key vanished."), Created: false);
        }
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        await CopyItemsAsync(transaction, batchId.Value, request.Items, cancellationToken);
        var copyMs = stopwatch.ElapsedMilliseconds;
        await chunks.CreateChunksAsync(transaction, batchId.Value, request.Items.Count, chunkSize, request.WorkerType, request.Priority, cancellationToken);
        LogSubmitTimings(logger, batchId.Value, copyMs, stopwatch.ElapsedMilliseconds - copyMs);
        return new SubmitResult(batchId.Value, Created: true);
    }

    /// <summary>Inserts the batch row; null when the idempotency key is already taken.</summary>
    internal static async Task<long?> InsertBatchAsync(AppTransaction transaction, SubmitBatch request, int chunkSize, long? parentBatchId, CancellationToken cancellationToken)
    {
        await using var insert = transaction.Command("""
            insert into app.batches (worker_type, priority, description, total_items, chunk_size, idempotency_key, request_hash, parent_batch_id, continuation)
            values (@type, @priority, @description, @total, @size, @key, @hash, @parent, @continuation)
            on conflict (idempotency_key) do nothing
            returning id
            """);
        insert.Parameters.AddWithValue("type", request.WorkerType);
        insert.Parameters.AddWithValue("priority", Priorities.ToText(request.Priority));
        insert.Parameters.AddWithValue("description", (object?)request.Description ?? DBNull.Value);
        insert.Parameters.AddWithValue("total", request.Items.Count);
        insert.Parameters.AddWithValue("size", chunkSize);
        insert.Parameters.AddWithValue("key", (object?)request.IdempotencyKey ?? DBNull.Value);
        insert.Parameters.AddWithValue("hash", (object?)request.RequestHash ?? DBNull.Value);
        insert.Parameters.AddWithValue("parent", (object?)parentBatchId ?? DBNull.Value);
        insert.Parameters.AddWithValue("continuation", NpgsqlDbType.Jsonb,
            request.Continuation is null ? DBNull.Value : JsonSerializer.Serialize(ContinuationJson.From(request.Continuation), ContinuationJson.Options));
        return (long?)await insert.ExecuteScalarAsync(cancellationToken);
    }

    private static async Task CopyItemsAsync(AppTransaction transaction, long batchId, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken)
    {
        await using var writer = await transaction.Connection.BeginBinaryImportAsync(
            "copy app.items (batch_id, item_no, payload) from stdin (format binary)", cancellationToken);
        for (var i = 0; i < items.Count; i++)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(batchId, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync(i, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(items[i].GetRawText(), NpgsqlDbType.Jsonb, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static async Task<long?> FindByKeyAsync(AppTransaction transaction, SubmitBatch request, CancellationToken cancellationToken)
    {
        await using var find = transaction.Command("select id, request_hash from app.batches where idempotency_key = @key");
        find.Parameters.AddWithValue("key", request.IdempotencyKey!);
        await using var reader = await find.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var hash = reader.IsDBNull(1) ? null : reader.GetString(1);
        if (request.RequestHash is not null && hash is not null && hash != request.RequestHash)
        {
            throw BatchRequestException.Field("Idempotency-Key", "This Idempotency-Key was already used for a different request.", 422);
        }
        return reader.GetInt64(0);
    }

    private WorkerType Validate(SubmitBatch request)
    {
        var errors = new Dictionary<string, string[]>();
        if (!workerTypes.TryGet(request.WorkerType ?? "", out var workerType))
        {
            errors["workerType"] = [workerTypes.WhyNotEnabled(request.WorkerType)];
        }
        if (request.Items is null || request.Items.Count == 0)
        {
            errors["items"] = ["At least one item is required."];
        }
        else if (request.Items.Count > limits.Value.MaxItemsPerRequest)
        {
            throw BatchRequestException.Field("items", $"At most {limits.Value.MaxItemsPerRequest} items per request (got {request.Items.Count}); split the batch.", 413);
        }
        if (request.ChunkSize is < 1 or > 100_000)
        {
            errors["chunkSize"] = ["chunkSize must be between 1 and 100000."];
        }
        if (request.Continuation is { } continuation)
        {
            ValidateContinuation(continuation, errors);
        }
        if (request.Description?.Length > 1000)
        {
            errors["description"] = ["description is at most 1000 characters."];
        }
        if (request.IdempotencyKey?.Length > 200)
        {
            errors["Idempotency-Key"] = ["Idempotency-Key is at most 200 characters."];
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException("The batch request is invalid.", errors);
        }
        return workerType;
    }

    /// <summary>Every stage of the pipeline, at any depth: known worker types, chunk sizes, webhook URLs, the depth.</summary>
    private void ValidateContinuation(ContinuationSpec continuation, Dictionary<string, string[]> errors)
    {
        ValidateWebhook(continuation.WebhookUrl, "continuation.webhookUrl", errors);
        var depth = 0;
        foreach (var (next, _, path) in continuation.Stages())
        {
            if (++depth > ContinuationSpec.MaxDepth)
            {
                errors["continuation"] = [$"A pipeline has at most {ContinuationSpec.MaxDepth} stages after the first."];
                return;
            }
            if (!workerTypes.TryGet(next.WorkerType ?? "", out _))
            {
                errors[$"{path}.workerType"] = [workerTypes.WhyNotEnabled(next.WorkerType)];
            }
            if (next.ChunkSize is < 1 or > 100_000)
            {
                errors[$"{path}.chunkSize"] = ["chunkSize must be between 1 and 100000."];
            }
            if (next.Continuation is { } own)
            {
                ValidateWebhook(own.WebhookUrl, $"{path}.continuation.webhookUrl", errors);
            }
        }
    }

    private static void ValidateWebhook(string? url, string field, Dictionary<string, string[]> errors)
    {
        // The outbound policy's URL rule (http(s), no credentials), refused here rather than on every delivery.
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || OutboundRequest.WhyRefused(uri) is not null))
        {
            errors[field] = [$"webhookUrl {(uri is null ? "must be an absolute http or https URL." : OutboundRequest.WhyRefused(uri))}"];
        }
    }

    [LoggerMessage(EventId = LogEventIds.BatchSubmitterSubmitTimings, Level = LogLevel.Debug, Message = "Batch {BatchId}: items copied in {CopyMs} ms, chunks and jobs created in {ChunksMs} ms")]
    private static partial void LogSubmitTimings(ILogger logger, long batchId, long copyMs, long chunksMs);

    [LoggerMessage(EventId = LogEventIds.BatchSubmitterSubmitted, Level = LogLevel.Information, Message = "Batch {BatchId} submitted: {WorkerType}, {Items} items in chunks of {ChunkSize}")]
    private static partial void LogSubmitted(ILogger logger, long batchId, string workerType, int items, int chunkSize);
}
