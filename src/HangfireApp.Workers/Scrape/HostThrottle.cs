using System.Collections.Concurrent;
using System.Diagnostics;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// Per-host politeness for the whole process: at most <see cref="ScrapeOptions.PerHostConcurrency"/> requests
/// in flight to one host name, and request starts at least a delay apart, whichever chunk or batch asks.
/// It is per process: several hosts of the service each keep their own limits (documented in the README).
/// Idle hosts are forgotten once more than <see cref="ForgetIdleAbove"/> are known, so a long crawl over many
/// sites does not keep one entry per site for ever.
/// </summary>
public sealed class HostThrottle(int perHostConcurrency)
{
    /// <summary>Known hosts above which idle ones are dropped.</summary>
    public const int ForgetIdleAbove = 10_000;

    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How many hosts are remembered (in use, or with a pending start time, or not yet forgotten).</summary>
    public int KnownHosts => _slots.Count;

    /// <summary>Waits for a free slot for <paramref name="host"/> and for its next start time; dispose the lease when the request is done.</summary>
    public async Task<IDisposable> EnterAsync(string host, TimeSpan spacing, CancellationToken cancellationToken)
    {
        if (_slots.Count > ForgetIdleAbove)
        {
            ForgetIdle();
        }
        var slot = Join(host);
        try
        {
            await slot.Gate.WaitAsync(cancellationToken);
        }
        catch
        {
            Leave(slot);
            throw;
        }
        try
        {
            TimeSpan wait;
            lock (slot)
            {
                // Reserve the next start time under the lock so that concurrent callers queue up behind each other.
                var now = Stopwatch.GetElapsedTime(0);
                var start = now > slot.NextStart ? now : slot.NextStart;
                slot.NextStart = start + spacing;
                wait = start - now;
            }
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken);
            }
            return new Lease(slot);
        }
        catch
        {
            slot.Gate.Release();
            Leave(slot);
            throw;
        }
    }

    /// <summary>Registers a user of the host's slot; a slot being forgotten is never joined (a fresh one replaces it).</summary>
    private Slot Join(string host)
    {
        while (true)
        {
            var slot = _slots.GetOrAdd(host, _ => new Slot(perHostConcurrency));
            lock (slot)
            {
                if (!slot.Forgotten)
                {
                    slot.Users++;
                    return slot;
                }
            }
        }
    }

    private static void Leave(Slot slot)
    {
        lock (slot)
        {
            slot.Users--;
        }
    }

    private void ForgetIdle()
    {
        var now = Stopwatch.GetElapsedTime(0);
        foreach (var (host, slot) in _slots)
        {
            lock (slot)
            {
                // Unused and its spacing long over: nobody can be waiting on it, so a fresh slot later is equivalent.
                if (slot.Users == 0 && slot.NextStart < now)
                {
                    slot.Forgotten = true;
                    _slots.TryRemove(new KeyValuePair<string, Slot>(host, slot));
                }
            }
        }
    }

    private sealed class Slot(int concurrency)
    {
        public SemaphoreSlim Gate { get; } = new(concurrency, concurrency);

        public TimeSpan NextStart { get; set; }

        public int Users { get; set; }

        public bool Forgotten { get; set; }
    }

    private sealed class Lease(Slot slot) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slot.Gate.Release();
                Leave(slot);
            }
        }
    }
}
