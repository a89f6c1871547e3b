namespace HangfireApp.Batches.States;

/// <summary>A batch's states, as stored in <c>app.batches.state</c> and shown by the API.</summary>
public static class BatchStates
{
    public const string Created = "created";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string CompletedWithFailures = "completed_with_failures";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>The states a batch never leaves (until a rerun reopens it).</summary>
    public static readonly IReadOnlyList<string> Final = [Succeeded, CompletedWithFailures, Failed, Cancelled];

    /// <summary>Every state, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [Created, Running, .. Final];

    /// <summary>Whether <paramref name="state"/> is final.</summary>
    public static bool IsFinal(string state) => state is Succeeded or CompletedWithFailures or Failed or Cancelled;
}

/// <summary>A chunk's states, as stored in <c>app.chunks.state</c>. Only <c>Chunks.ChunkStore</c> writes them (with the lease epoch).</summary>
public static class ChunkStates
{
    public const string Queued = "queued";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string CompletedWithFailures = "completed_with_failures";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Every state, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [Queued, Running, Succeeded, CompletedWithFailures, Failed, Cancelled];

    /// <summary>Whether <paramref name="state"/> is final.</summary>
    public static bool IsFinal(string state) => state is Succeeded or CompletedWithFailures or Failed or Cancelled;
}

/// <summary>An item's states, as stored in <c>app.items.state</c>.</summary>
public static class ItemStates
{
    public const string Pending = "pending";
    public const string Running = "running";
    public const string Succeeded = "succeeded";
    public const string Failed = "failed";
    public const string Cancelled = "cancelled";

    /// <summary>Every state, in lifecycle order.</summary>
    public static readonly IReadOnlyList<string> All = [Pending, Running, Succeeded, Failed, Cancelled];
}
