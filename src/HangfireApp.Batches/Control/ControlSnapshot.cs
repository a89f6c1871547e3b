using System.Collections.Concurrent;

namespace HangfireApp.Batches.Control;

/// <summary>
/// This host's copy of the control tables, refreshed by <see cref="ControlRefresher"/> every
/// <see cref="ControlOptions.RefreshInterval"/>: which worker types are paused (running chunks stop when theirs
/// pauses) and the live WorkerCount of each job server. The database stays the truth; the chunk claim checks it.
/// </summary>
public sealed class ControlSnapshot
{
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _pauses = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private IReadOnlyDictionary<string, int> _workerCounts = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Raised (on the refresher's thread) when the server worker counts read from the database change.</summary>
    public event Action<IReadOnlyDictionary<string, int>>? WorkerCountsChanged;

    /// <summary>The live WorkerCount per server name, as last read.</summary>
    public IReadOnlyDictionary<string, int> WorkerCounts => _workerCounts;

    public bool IsPaused(string workerType) => _pauses.TryGetValue(workerType, out var pause) && pause.IsCancellationRequested;

    /// <summary>A token cancelled as soon as this host learns that <paramref name="workerType"/> is paused
    /// (already cancelled if it is paused now). A running chunk stops at its next item when it fires.</summary>
    public CancellationToken WhenPaused(string workerType) => Slot(workerType).Token;

    /// <summary>Records a worker type's pause state (from a refresh, or at once on the host that changed it).</summary>
    public void Apply(string workerType, bool paused)
    {
        lock (_gate)
        {
            var slot = Slot(workerType);
            if (paused && !slot.IsCancellationRequested)
            {
                slot.Cancel();
            }
            else if (!paused && slot.IsCancellationRequested)
            {
                _pauses[workerType] = new CancellationTokenSource(); // the old one stays cancelled for those who hold it
            }
        }
    }

    internal void ApplyWorkerCounts(IReadOnlyDictionary<string, int> counts)
    {
        var changed = counts.Count != _workerCounts.Count || counts.Any(count => !_workerCounts.TryGetValue(count.Key, out var old) || old != count.Value);
        _workerCounts = counts;
        if (changed)
        {
            WorkerCountsChanged?.Invoke(counts);
        }
    }

    private CancellationTokenSource Slot(string workerType) => _pauses.GetOrAdd(workerType, _ => new CancellationTokenSource());
}
