using System.Text.Json;
using HangfireApp.Batches.Queues;

namespace HangfireApp.Batches.Submit;

/// <summary>A batch to create: what <c>POST /api/batches</c> carries, and what pipeline stages create.</summary>
public sealed record SubmitBatch(
    string WorkerType,
    IReadOnlyList<JsonElement> Items,
    int? ChunkSize = null,
    Priority Priority = Priority.Normal,
    string? Description = null,
    ContinuationSpec? Continuation = null,
    string? IdempotencyKey = null,
    string? RequestHash = null);

public enum ContinuationCondition
{
    OnSuccess,
    OnAnyFinal,
}

/// <summary>What happens when the batch is final: a next pipeline stage and/or a webhook.</summary>
public sealed record ContinuationSpec(ContinuationCondition Condition, NextStage? Next, string? WebhookUrl)
{
    /// <summary>The most stages a pipeline may have after its first batch.</summary>
    public const int MaxDepth = 16;

    /// <summary>The next stages in order, with each one's field path as the API spells it (<c>continuation.next</c>, <c>continuation.next.continuation.next</c>, …).</summary>
    public IEnumerable<(NextStage Stage, ContinuationSpec Continuation, string Path)> Stages()
    {
        var path = "continuation";
        for (var spec = this; spec is not null; spec = spec.Next?.Continuation)
        {
            if (spec.Next is null)
            {
                yield break;
            }
            yield return (spec.Next, spec, $"{path}.next");
            path = $"{path}.next.continuation";
        }
    }
}

/// <summary>
/// A child batch whose items are the succeeded items' results (or the items they emitted, in order); it may carry a
/// continuation of its own, so one submit describes a pipeline of any depth (up to <see cref="ContinuationSpec.MaxDepth"/> stages after the first).
/// </summary>
public sealed record NextStage(string WorkerType, int? ChunkSize, Priority? Priority, ContinuationSpec? Continuation = null);

/// <summary>The batch id and whether this call created it (false: an idempotent repeat).</summary>
public sealed record SubmitResult(long BatchId, bool Created);

/// <summary>A request the engine refuses; <see cref="Errors"/> names the fields.</summary>
public sealed class BatchRequestException(string title, IDictionary<string, string[]> errors, int statusCode = 400)
    : Exception(title)
{
    public IDictionary<string, string[]> Errors { get; } = errors;

    public int StatusCode { get; } = statusCode;

    public static BatchRequestException Field(string field, string message, int statusCode = 400) =>
        new(message, new Dictionary<string, string[]> { [field] = [message] }, statusCode);
}

/// <summary>The request conflicts with the batch's current state (409).</summary>
public sealed class BatchConflictException(string message) : Exception(message);

/// <summary>No such batch (404).</summary>
public sealed class BatchNotFoundException(long batchId) : Exception($"Batch {batchId} does not exist.")
{
    public long BatchId { get; } = batchId;
}
