using System.Diagnostics;
using System.Net;
using HangfireApp.FaultTests.Infrastructure;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.FaultTests;

/// <summary>
/// PostgreSQL restarted (fast and immediate) or frozen mid-batch, under a running web host and worker host: every
/// batch is final within 60 s of the database coming back, with every invariant intact.
/// </summary>
[Collection(FaultScenarios.Name)]
public sealed class DatabaseFaultTests(FaultFixture fixture)
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("fast")]
    [InlineData("immediate")]
    public async Task Restart_LeavesEveryBatchFinalWithin60s_WithInvariantsIntact(string mode)
    {
        for (var run = 1; run <= FaultFixture.Runs; run++)
        {
            // 600 items of 100 ms over 30 chunks: about 4 s of work for 4 workers × 4 items in flight.
            var batch = await fixture.SubmitAsync(600, 100, $"restart {mode} run {run}");
            await fixture.WaitProgressAsync(batch, 0.25);

            var down = Stopwatch.StartNew();
            await fixture.Cluster.RestartAsync(mode);
            var back = down.Elapsed;
            var recovery = await fixture.WaitAllFinalAsync(RecoveryBound);

            Figures.Report($"restart -m {mode}", $"run {run}: database down {back.TotalSeconds:0.0} s; every batch final after", recovery);
            await Invariants.CheckAsync(fixture, batch);
        }
    }

    [Fact]
    public async Task Freeze_LeavesEveryBatchFinalWithin60s_WithInvariantsIntact()
    {
        var batch = await fixture.SubmitAsync(600, 100, "freeze");
        await fixture.WaitProgressAsync(batch, 0.25);

        await fixture.Cluster.FreezeAsync(TimeSpan.FromSeconds(15));
        var recovery = await fixture.WaitAllFinalAsync(RecoveryBound);

        Figures.Report("freeze (SIGSTOP 15 s)", "every batch final after the thaw", recovery);
        await Invariants.CheckAsync(fixture, batch);
    }

    /// <summary>
    /// The first request after a restart meets a dead pooled connection (57P01 "terminating connection due to
    /// administrator command"): it is answered 503 with Retry-After, never 500, and the retry is served.
    /// <c>/api/servers</c> reads through Hangfire's storage and <c>/api/batches</c> through the app's data source:
    /// two pools.
    /// </summary>
    [Theory]
    [InlineData("/api/servers")]
    [InlineData("/api/batches")]
    public async Task FirstRequestAfterRestart_IsServedOrRefusedWith503RetryAfter_NeverA500(string path)
    {
        var uri = new Uri(path, UriKind.Relative);
        // Fill the pools with live connections (an earlier restart may have left dead ones: those answer 503 once), so
        // the restart leaves them dead connections.
        await Eventually.Until(async () =>
        {
            var responses = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fixture.Api.GetAsync(uri)));
            var served = responses.All(response => response.StatusCode == HttpStatusCode.OK);
            foreach (var response in responses)
            {
                response.Dispose();
            }
            return served;
        }, served => served, TimeSpan.FromSeconds(30), $"{path} to be served");

        await fixture.Cluster.RestartAsync("fast");

        using var first = await fixture.Api.GetAsync(uri);
        var body = await first.Content.ReadAsStringAsync();
        if (first.StatusCode == HttpStatusCode.ServiceUnavailable)
        {
            first.Headers.RetryAfter?.Delta.ShouldNotBeNull(body);
            first.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", body);
            await Task.Delay(first.Headers.RetryAfter!.Delta!.Value);
            using var again = await fixture.Api.GetAsync(uri);
            again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        }
        else
        {
            first.StatusCode.ShouldBe(HttpStatusCode.OK, body);
        }
    }
}
