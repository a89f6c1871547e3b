using System.Text.Json;

namespace HangfireApp.Api.Batches;

/// <summary>The body of <c>POST /api/batches</c>. <see cref="Items"/> stays one JSON element (the array) so
/// 100,000 items are one parsed document, not 100,000 small ones.</summary>
public sealed record SubmitBatchBody(
    string? WorkerType,
    JsonElement? Items,
    int? ChunkSize,
    string? Priority,
    string? Description,
    ContinuationBody? Continuation);

public sealed record ContinuationBody(string? Condition, NextStageBody? Next, string? WebhookUrl);

/// <summary>A next stage; its own <see cref="Continuation"/> makes pipelines of any depth.</summary>
public sealed record NextStageBody(string? WorkerType, int? ChunkSize, string? Priority, ContinuationBody? Continuation = null);

/// <summary>The body of <c>POST /api/batches/{id}/rerun</c>.</summary>
public sealed record RerunBody(string? Scope, int? ChunkNo);

/// <summary>A worker type as <c>GET /api/worker-types</c> shows it. <see cref="Handler"/>: <c>item</c> or <c>bulk</c>;
/// <see cref="SliceSize"/> only matters to a bulk handler.</summary>
public sealed record WorkerTypeView(string Name, string Queue, IReadOnlyList<string> Queues, int ChunkSize, int MaxDegreeOfParallelism,
    TimeSpan ItemTimeout, int RetryAttempts, IReadOnlyList<int> RetryDelaysSeconds, string Handler, int SliceSize);
