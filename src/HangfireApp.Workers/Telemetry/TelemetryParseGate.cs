using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// Bounds the telemetry files parsed at once in this process (<see cref="TelemetryOptions.MaxConcurrentParses"/>),
/// whatever the Hangfire worker count and the chunk parallelism: parsing is CPU-bound, so more parses than
/// processors only hold more buffers and connections without finishing sooner.
/// </summary>
public sealed class TelemetryParseGate(IOptions<TelemetryOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.EffectiveMaxConcurrentParses, options.Value.EffectiveMaxConcurrentParses);

    public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        return new Slot(_slots);
    }

    public void Dispose() => _slots.Dispose();

    private sealed class Slot(SemaphoreSlim slots) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release();
            }
        }
    }
}
