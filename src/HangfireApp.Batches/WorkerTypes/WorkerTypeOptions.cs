namespace HangfireApp.Batches.WorkerTypes;

/// <summary>Settings of one worker type, bound from <c>WorkerTypes:&lt;name&gt;</c>.</summary>
public sealed class WorkerTypeOptions
{
    public const string Section = "WorkerTypes";

    /// <summary>Disabled worker types accept no batches and their queues get no workers.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Base queue name (default: the worker type's name); chunks go to its priority queues.</summary>
    public string? Queue { get; set; }

    /// <summary>Items per chunk, i.e. per Hangfire job.</summary>
    public int ChunkSize { get; set; } = 500;

    /// <summary>Items in flight at once inside one chunk.</summary>
    public int MaxDegreeOfParallelism { get; set; } = 8;

    /// <summary>Items per call of a bulk handler (<see cref="IBulkItemHandler"/>); per-item handlers ignore it.</summary>
    public int SliceSize { get; set; } = 100;

    /// <summary>Per-item time limit (per slice for a bulk handler); an item over it fails with a timeout (and may be retried).</summary>
    public TimeSpan ItemTimeout { get; set; } = TimeSpan.FromMinutes(1);

    public RetryOptions Retry { get; set; } = new();

    /// <summary>Cluster-wide cap on this worker type's running chunks (all hosts together); none when unset.
    /// An operator can change it live (<c>PUT /api/worker-types/{name}</c>), which overrides this setting.</summary>
    public int? MaxRunningChunks { get; set; }
}

/// <summary>How often a chunk's failed items are retried, and after which delays.</summary>
public sealed class RetryOptions
{
    /// <summary>Total attempts per chunk, the first included (1 = no retry).</summary>
    public int Attempts { get; set; } = 3;

    /// <summary>Used when <see cref="DelaysSeconds"/> is not configured.</summary>
    public static readonly IReadOnlyList<int> DefaultDelaysSeconds = [10, 60, 300];

    /// <summary>Delay before retry N is <c>DelaysSeconds[N-1]</c>; the last value repeats. Empty by default
    /// (meaning <see cref="DefaultDelaysSeconds"/>) because the configuration binder appends to a
    /// pre-filled array instead of replacing it.</summary>
    public int[] DelaysSeconds { get; set; } = [];

    public IReadOnlyList<int> EffectiveDelaysSeconds => DelaysSeconds.Length > 0 ? DelaysSeconds : DefaultDelaysSeconds;

    public TimeSpan DelayBefore(int retryNumber) =>
        TimeSpan.FromSeconds(EffectiveDelaysSeconds[Math.Min(retryNumber, EffectiveDelaysSeconds.Count) - 1]);
}
