namespace HangfireApp.Batches.Queries;

public sealed record ItemCounts(long Pending, long Running, long Succeeded, long Failed, long Cancelled);

public sealed record ChunkCounts(long Queued, long Running, long Succeeded, long CompletedWithFailures, long Failed, long Cancelled);

public sealed record ContinuationView(string Condition, string? State, long? NextBatchId, string? WebhookUrl, string? WebhookState);

/// <summary>A batch as <c>GET /api/batches/{id}</c> shows it. Counts are summed from its chunks, which are
/// written in the same transactions as the items, so they always equal the items' states.</summary>
public sealed record BatchView(
    long Id,
    string WorkerType,
    string State,
    string Priority,
    string? Description,
    int TotalItems,
    int Run,
    ItemCounts ItemCounts,
    ChunkCounts ChunkCounts,
    double Progress,
    double? ItemsPerSecond,
    TimeSpan? Eta,
    DateTime CreatedAt,
    DateTime? StartedAt,
    DateTime? FinishedAt,
    bool CancelRequested,
    long? ParentBatchId,
    IReadOnlyList<long> ChildBatchIds,
    ContinuationView? Continuation,
    // The sum of its runs, each from its start to its final state (see BatchEstimate.ActiveTime); ItemsPerSecond is over it.
    TimeSpan? ActiveTime,
    IReadOnlyList<PipelineStageView>? Pipeline = null);

/// <summary>
/// One stage of the pipeline a batch belongs to, as <c>GET /api/batches/{id}</c> of any stage shows it, first stage
/// first. A stage not created yet has no <see cref="BatchId"/> and the state <c>pending</c> (its previous stage is still
/// running) or <c>not_started</c> (the previous stage ended without starting it: a failed condition, a cancel, no items).
/// </summary>
public sealed record PipelineStageView(string WorkerType, long? BatchId, string State, ItemCounts? ItemCounts);

public sealed record ItemView(int ItemNo, string State, int Attempts, string Payload, string? Result, string? Error);

public sealed record ErrorGroupView(string Fingerprint, long Count, string ExampleError, int ExampleItemNo);

public sealed record ChunkView(long Id, int ChunkNo, int FirstItem, int ItemCount, string State, int Attempt, int LeaseEpoch,
    string? HangfireJobId, DateTime? HeartbeatAt, DateTime? StartedAt, DateTime? FinishedAt, int Succeeded, int Failed, int Cancelled, string? LastError);

/// <summary>What a worker type is doing now: its open chunks, and its items finished in a recent window.</summary>
public sealed record WorkerTypeActivityView(string WorkerType, long QueuedChunks, long RunningChunks, long RecentItems, double RecentItemsPerSecond);

public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, long Total);
