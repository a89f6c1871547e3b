using System.Collections.Concurrent;
using System.Diagnostics;
using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

public sealed class HostThrottleTests
{
    [Fact]
    public async Task EnterAsync_KeepsConcurrencyAndSpacing_PerHost()
    {
        var throttle = new HostThrottle(perHostConcurrency: 2);
        (await throttle.EnterAsync("warm-up.example", TimeSpan.Zero, CancellationToken.None)).Dispose();
        var clock = Stopwatch.StartNew();
        var starts = new ConcurrentQueue<(string Host, long Ms)>();
        var inFlight = new ConcurrentDictionary<string, int>();
        var peak = new ConcurrentDictionary<string, int>();

        async Task RequestAsync(string host)
        {
            using var lease = await throttle.EnterAsync(host, TimeSpan.FromMilliseconds(100), CancellationToken.None);
            starts.Enqueue((host, clock.ElapsedMilliseconds));
            var now = inFlight.AddOrUpdate(host, 1, (_, n) => n + 1);
            peak.AddOrUpdate(host, now, (_, p) => Math.Max(p, now));
            await Task.Delay(500); // long against the 100 ms spacing, so the first two overlap even on a loaded machine
            inFlight.AddOrUpdate(host, 0, (_, n) => n - 1);
        }

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => RequestAsync(i % 2 == 0 ? "a.example" : "b.example")));

        peak["a.example"].ShouldBe(2);
        peak["b.example"].ShouldBe(2);
        foreach (var host in new[] { "a.example", "b.example" })
        {
            var times = starts.Where(s => s.Host == host).Select(s => s.Ms).Order().ToList();
            times.Count.ShouldBe(3);
            (times[1] - times[0]).ShouldBeGreaterThanOrEqualTo(95); // spacing (timer resolution allowed for)
            (times[2] - times[0]).ShouldBeGreaterThanOrEqualTo(490); // the third waits for a slot to free up
        }
    }

    [Fact]
    public async Task EnterAsync_DoesNotMakeOneHostWaitForAnother()
    {
        var throttle = new HostThrottle(perHostConcurrency: 1);
        using var holdA = await throttle.EnterAsync("a.example", TimeSpan.FromMinutes(10), CancellationToken.None);

        // a.example is busy and its next start is 10 minutes away; b.example must not care.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var b = await throttle.EnterAsync("b.example", TimeSpan.FromMinutes(10), deadline.Token);
        using var stillBlocked = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Should.ThrowAsync<OperationCanceledException>(() => throttle.EnterAsync("a.example", TimeSpan.Zero, stillBlocked.Token));
    }

    [Fact]
    public async Task EnterAsync_ReleasesTheSlot_WhenCancelledWhileWaitingForItsTurn()
    {
        var throttle = new HostThrottle(perHostConcurrency: 1);
        var first = await throttle.EnterAsync("h", TimeSpan.FromSeconds(5), CancellationToken.None);
        first.Dispose();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        // The next start is 5 s away: the wait is cancelled, and the slot must come back.
        await Should.ThrowAsync<OperationCanceledException>(() => throttle.EnterAsync("h", TimeSpan.Zero, cancel.Token));
        using var other = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var sw = Stopwatch.StartNew();
        using var third = await throttle.EnterAsync("h", TimeSpan.Zero, other.Token);
        sw.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(9));
    }

    [Fact]
    public async Task EnterAsync_ForgetsIdleHosts_ButNeverOneInUse()
    {
        var throttle = new HostThrottle(perHostConcurrency: 1);
        using var busy = await throttle.EnterAsync("busy.example", TimeSpan.Zero, CancellationToken.None);
        for (var i = 0; i < HostThrottle.ForgetIdleAbove; i++)
        {
            (await throttle.EnterAsync($"site{i}.example", TimeSpan.Zero, CancellationToken.None)).Dispose();
        }
        throttle.KnownHosts.ShouldBe(HostThrottle.ForgetIdleAbove + 1);

        (await throttle.EnterAsync("one-more.example", TimeSpan.Zero, CancellationToken.None)).Dispose();

        throttle.KnownHosts.ShouldBe(2); // the busy host and the new one
        // The busy host's slot was kept: a second request still waits for the first one's lease.
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        await Should.ThrowAsync<OperationCanceledException>(() => throttle.EnterAsync("busy.example", TimeSpan.Zero, cancel.Token));
    }
}
