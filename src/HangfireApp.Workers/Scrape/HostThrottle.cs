using System.Collections.Concurrent;
using System.Diagnostics;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// Per-host politeness for the whole process: at most <see cref="ScrapeOptions.PerHostConcurrency"/> requests
/// in flight to one host name, and request starts at least a delay apart, whichever chunk or batch asks.
/// It is per process: several hosts of the service each keep their own limits (documented in the README).
/// </summary>
public sealed class HostThrottle(int perHostConcurrency)
{
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Waits for a free slot for <paramref name="host"/> and for its next start time; dispose the lease when the request is done.</summary>
    public async Task<IDisposable> EnterAsync(string host, TimeSpan spacing, CancellationToken cancellationToken)
    {
        var slot = _slots.GetOrAdd(host, _ => new Slot(perHostConcurrency));
        await slot.Gate.WaitAsync(cancellationToken);
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
            throw;
        }
    }

    private sealed class Slot(int concurrency)
    {
        public SemaphoreSlim Gate { get; } = new(concurrency, concurrency);

        public TimeSpan NextStart { get; set; }
    }

    private sealed class Lease(Slot slot) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slot.Gate.Release();
            }
        }
    }
}
