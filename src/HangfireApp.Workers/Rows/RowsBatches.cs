using System.Collections.Concurrent;
using System.Diagnostics;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// What the chunks of one <c>rows</c> batch share inside this process: the call (loaded and decrypted once),
/// its parsed URL template, the in-flight gate and the pause a 429 imposes. Chunks of the same batch running
/// side by side in one process therefore stay under one <c>maxInFlight</c> together.
/// </summary>
public sealed class RowsBatch : IDisposable
{
    private long _blockedUntil;

    internal RowsBatch(StoredRowsCall stored, UrlTemplate template, IReadOnlyList<(string Name, string Value, bool Secret)> headers)
    {
        Stored = stored;
        Template = template;
        Headers = headers;
        Gate = new SemaphoreSlim(stored.Call.MaxInFlight ?? 1);
    }

    public StoredRowsCall Stored { get; }

    public RowsCall Call => Stored.Call;

    public UrlTemplate Template { get; }

    /// <summary>Every header with its value, secret ones decrypted; in memory only.</summary>
    public IReadOnlyList<(string Name, string Value, bool Secret)> Headers { get; }

    /// <summary>At most <c>maxInFlight</c> requests of the batch at once in this process.</summary>
    public SemaphoreSlim Gate { get; }

    internal long LastUsed { get; set; } = Stopwatch.GetTimestamp();

    /// <summary>No request of this batch starts in this process before <paramref name="delay"/> from now.</summary>
    public void PauseFor(TimeSpan delay)
    {
        var until = Stopwatch.GetTimestamp() + (long)(delay.TotalSeconds * Stopwatch.Frequency);
        long seen;
        while ((seen = Interlocked.Read(ref _blockedUntil)) < until && Interlocked.CompareExchange(ref _blockedUntil, until, seen) != seen)
        {
        }
    }

    /// <summary>Waits out a pause set by <see cref="PauseFor"/>, if one is running.</summary>
    public Task WaitIfPausedAsync(CancellationToken cancellationToken)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), Interlocked.Read(ref _blockedUntil));
        return left > TimeSpan.Zero ? Task.Delay(left, cancellationToken) : Task.CompletedTask;
    }

    public void Dispose() => Gate.Dispose();
}

/// <summary>The <see cref="RowsBatch"/> of each batch that runs in this process, loaded on first use and forgotten when idle.</summary>
public sealed class RowsBatches(RowsCallStore store, SecretProtector protector) : IDisposable
{
    private static readonly TimeSpan IdleLifetime = TimeSpan.FromMinutes(10);
    private readonly ConcurrentDictionary<long, Lazy<Task<RowsBatch>>> _batches = new();
    private long _lastSweep = Stopwatch.GetTimestamp();

    public async Task<RowsBatch> GetAsync(long batchId, CancellationToken cancellationToken)
    {
        ForgetIdle();
        var lazy = _batches.GetOrAdd(batchId, id => new Lazy<Task<RowsBatch>>(() => LoadAsync(id)));
        try
        {
            var batch = await lazy.Value.WaitAsync(cancellationToken);
            batch.LastUsed = Stopwatch.GetTimestamp();
            return batch;
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            _batches.TryRemove(new KeyValuePair<long, Lazy<Task<RowsBatch>>>(batchId, lazy)); // the next item tries again
            throw;
        }
    }

    private async Task<RowsBatch> LoadAsync(long batchId)
    {
        // Not the item's token: the load is shared by every item of the batch in this process.
        var stored = await store.FindAsync(batchId, CancellationToken.None)
            ?? throw new InvalidOperationException($"Batch {batchId} has no rows call (app.rows_calls): it was not created by POST /api/rows/csv.");
        var secrets = stored.Secrets is null ? [] : protector.Unprotect(batchId, stored.Secrets);
        var headers = (stored.Call.Headers ?? [])
            .Select(h => (h.Name!, h.Secret ? secrets.GetValueOrDefault(h.Name!) ?? "" : h.Value ?? "", h.Secret))
            .ToList();
        return new RowsBatch(stored, UrlTemplate.Parse(stored.Call.UrlTemplate!, stored.Columns), headers);
    }

    private void ForgetIdle()
    {
        var now = Stopwatch.GetTimestamp();
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _lastSweep), now) < TimeSpan.FromMinutes(1))
        {
            return;
        }
        Interlocked.Exchange(ref _lastSweep, now);
        foreach (var (id, lazy) in _batches)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && Stopwatch.GetElapsedTime(lazy.Value.Result.LastUsed, now) > IdleLifetime)
            {
                // Not disposed: an item that just fetched it may still be using its gate; the GC takes it.
                _batches.TryRemove(id, out _);
            }
        }
    }

    public void Dispose()
    {
        foreach (var lazy in _batches.Values)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully)
            {
                lazy.Value.Result.Dispose();
            }
        }
        _batches.Clear();
    }
}
