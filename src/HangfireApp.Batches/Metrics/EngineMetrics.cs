using System.Collections.Concurrent;
using Prometheus;

namespace HangfireApp.Batches.Metrics;

/// <summary>Item outcomes as <c>hangfireapp_items_total</c> labels them.</summary>
public static class ItemOutcomes
{
    public const string Succeeded = "succeeded";

    /// <summary>Failed for good (no attempt left, or not retryable).</summary>
    public const string Failed = "failed";

    /// <summary>Failed on this attempt; the chunk retries it.</summary>
    public const string Retried = "retried";

    public const string Cancelled = "cancelled";

    public static readonly IReadOnlyList<string> All = [Succeeded, Failed, Retried, Cancelled];
}

/// <summary>Job fetch outcomes as <c>hangfireapp_job_fetches_total</c> labels them.</summary>
public static class FetchOutcomes
{
    public const string Job = "job";

    public const string Empty = "empty";
}

/// <summary>
/// The engine's own Prometheus metrics, recorded where the engine already writes outcomes (the chunk runner's flush,
/// the end of a chunk run, the stalled-chunks sweep, the claim gate). Label values are worker type names and fixed
/// words only: job and batch ids never become labels. One instance per host, over the host's own registry, so two
/// hosts in one process (the tests) never add to each other's counters.
/// </summary>
public sealed class EngineMetrics
{
    /// <summary>Chunk run and wait times: 50 ms to about 27 min, doubling.</summary>
    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.05, 2, 16);

    private readonly Counter _items;
    private readonly Histogram _chunkDuration;
    private readonly Histogram _chunkWait;
    private readonly Counter _rescued;
    private readonly Counter _deferred;
    private readonly Counter _fetches;
    private readonly ConcurrentDictionary<string, long[]> _unsaved = new(StringComparer.Ordinal);

    public EngineMetrics(CollectorRegistry registry)
    {
        Registry = registry;
        var factory = Prometheus.Metrics.WithCustomRegistry(registry);
        _items = factory.CreateCounter("hangfireapp_items_total", "Items processed, by worker type and outcome (succeeded, failed for good, retried, cancelled).",
            ["worker_type", "outcome"]);
        _chunkDuration = factory.CreateHistogram("hangfireapp_chunk_duration_seconds", "Time one run of a chunk took, from its claim to its end.",
            ["worker_type"], new HistogramConfiguration { Buckets = DurationBuckets });
        _chunkWait = factory.CreateHistogram("hangfireapp_chunk_wait_seconds", "Time a chunk waited in its queue before a worker claimed it (retry delays left out).",
            ["worker_type"], new HistogramConfiguration { Buckets = DurationBuckets });
        _rescued = factory.CreateCounter("hangfireapp_chunks_rescued_total", "Chunks the stalled-chunks sweep requeued (dead or hung worker, lost job).",
            ["worker_type"]);
        _deferred = factory.CreateCounter("hangfireapp_chunks_deferred_total", "Chunk starts put off because their worker type was paused or at its running-chunk cap.",
            ["worker_type", "reason"]);
        _fetches = factory.CreateCounter("hangfireapp_job_fetches_total", "Hangfire job fetches by this host's workers: 'job' took one, 'empty' found none (a wake-up or a poll that was not needed).",
            ["outcome"]);
        _fetches.WithLabels(FetchOutcomes.Job);
        _fetches.WithLabels(FetchOutcomes.Empty);
    }

    /// <summary>The registry the host's <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Counts item outcomes of a flush or a chunk's close.</summary>
    public void CountItems(string workerType, string outcome, long count)
    {
        if (count <= 0)
        {
            return;
        }
        _items.WithLabels(workerType, outcome).Inc(count);
        var slot = outcome switch
        {
            ItemOutcomes.Succeeded => 0,
            ItemOutcomes.Failed => 1,
            ItemOutcomes.Retried => 2,
            _ => 3,
        };
        var counts = _unsaved.GetOrAdd(workerType, _ => new long[4]);
        Interlocked.Add(ref counts[slot], count);
    }

    public void ObserveChunkRun(string workerType, TimeSpan duration) => _chunkDuration.WithLabels(workerType).Observe(duration.TotalSeconds);

    public void ObserveChunkWait(string workerType, TimeSpan wait) => _chunkWait.WithLabels(workerType).Observe(Math.Max(0, wait.TotalSeconds));

    public void CountRescued(string workerType, int count) => _rescued.WithLabels(workerType).Inc(count);

    public void CountDeferred(string workerType, string reason) => _deferred.WithLabels(workerType, reason).Inc();

    public void CountFetch(bool tookJob) => _fetches.WithLabels(tookJob ? FetchOutcomes.Job : FetchOutcomes.Empty).Inc();

    /// <summary>The fetches counted so far, for the tests and the benchmark.</summary>
    public (double Job, double Empty) Fetches => (_fetches.WithLabels(FetchOutcomes.Job).Value, _fetches.WithLabels(FetchOutcomes.Empty).Value);

    /// <summary>Makes sure a worker type's series exist (at zero) before its first chunk, so alert expressions and
    /// dashboards find them.</summary>
    public void Declare(string workerType)
    {
        foreach (var outcome in ItemOutcomes.All)
        {
            _items.WithLabels(workerType, outcome);
        }
        _chunkDuration.WithLabels(workerType);
        _chunkWait.WithLabels(workerType);
        _rescued.WithLabels(workerType);
        _deferred.WithLabels(workerType, DeferReasons.Paused);
        _deferred.WithLabels(workerType, DeferReasons.Capped);
    }

    /// <summary>Takes the outcomes counted since the last call (for the minute rollup the charts read):
    /// per worker type succeeded, failed, retried, cancelled.</summary>
    internal List<(string WorkerType, long[] Counts)> TakeUnsaved()
    {
        var taken = new List<(string, long[])>();
        foreach (var (workerType, counts) in _unsaved)
        {
            var copy = new long[4];
            for (var i = 0; i < 4; i++)
            {
                copy[i] = Interlocked.Exchange(ref counts[i], 0);
            }
            if (copy.Any(count => count > 0))
            {
                taken.Add((workerType, copy));
            }
        }
        return taken;
    }

    /// <summary>Gives back outcomes a failed rollup write could not save, so the next write includes them.</summary>
    internal void GiveBack(string workerType, long[] counts)
    {
        var slot = _unsaved.GetOrAdd(workerType, _ => new long[4]);
        for (var i = 0; i < 4; i++)
        {
            Interlocked.Add(ref slot[i], counts[i]);
        }
    }
}

/// <summary>Why a chunk's start was put off (<c>hangfireapp_chunks_deferred_total{reason}</c>).</summary>
public static class DeferReasons
{
    public const string Paused = "paused";
    public const string Capped = "capped";
}
