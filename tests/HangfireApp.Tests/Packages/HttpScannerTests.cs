using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Packages;
using HangfireApp.Batches.RateLimits;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Packages;

[Collection(PackagesTests.Name)]
public sealed class HttpScannerTests(PackagesFixture fixture)
{
    [Fact]
    public async Task HttpScanner_HonoursRetryAfter_BacksOffOn5xx_AndKeepsTheSharedRate()
    {
        var times = new ConcurrentQueue<(int Call, long Ms)>();
        var clock = Stopwatch.StartNew();
        var lodash = PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json");
        await using var scanner = await LoopbackServer.StartAsync(async (context, call) =>
        {
            times.Enqueue((call, clock.ElapsedMilliseconds));
            if (call == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                return;
            }
            if (call == 2)
            {
                context.Response.StatusCode = 503;
                return;
            }
            context.Response.ContentType = "application/json";
            // Every version asked about (4.17.8 to 4.17.11) is affected: answer as the OSV API would.
            await context.Response.WriteAsync($"{{\"vulns\": [{lodash}]}}");
        });
        var settings = PackagesFixture.Settings();
        settings["WorkerTypes:packages:Scanner"] = "http";
        settings["WorkerTypes:packages:Http:Url"] = new Uri(scanner.BaseAddress, "/v1/query").ToString();
        // 2 a second: a token every 500 ms, so the 429's answer has 500 ms to reach the client before the next token is
        // taken, even on a loaded machine (at 4 a second, 250 ms was sometimes too little and a second call slipped by).
        settings["WorkerTypes:packages:Http:RequestsPerSecond"] = "2";
        settings["WorkerTypes:packages:Http:Burst"] = "1";
        settings["WorkerTypes:packages:Http:BackoffBase"] = "00:00:00.100";
        foreach (var key in settings.Keys.Where(key => key.StartsWith("Schedules:", StringComparison.Ordinal)).ToList())
        {
            settings.Remove(key);
        }
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, settings);
        using var api = app.ApiClient();
        (await api.PostAsJsonAsync("/api/packages", Enumerable.Range(0, 4).Select(i => new { ecosystem = "npm", name = "lodash", version = $"4.17.{8 + i}" }).ToArray()))
            .EnsureSuccessStatusCode();

        var sweep = await app.Service<PendingPackagesSweep>().SweepAsync(CancellationToken.None);
        (await api.WaitFinalAsync(sweep.BatchIds.Single())).State.ShouldBe("succeeded");

        var calls = times.OrderBy(t => t.Call).ToList();
        calls.Count.ShouldBe(6); // 4 packages, one 429 and one 503 retried
        // The 429 blocks every caller until its Retry-After: no call comes before it ends.
        calls.Skip(1).ShouldAllBe(call => call.Ms - calls[0].Ms >= 950, string.Join(", ", calls));
        // 2 requests per second with a burst of 1: the last four calls span at least ~1.5 s.
        (calls[^1].Ms - calls[^4].Ms).ShouldBeGreaterThanOrEqualTo(1400);
        await using var db = database.CreateDataSource();
        // The packages' statuses are the batch's final handler's work, which runs just after the batch is final.
        await Eventually.Until(() => db.ScalarAsync("select count(*) from app.packages where status = 'scanned'"),
            scanned => scanned == 4, TimeSpan.FromSeconds(20), "the final handler to mark the packages scanned");
        (await db.ScalarAsync("select count(*) from app.advisories where id = 'GHSA-jf85-cpcp-j695'")).ShouldBe(1);
        (await db.ScalarAsync("select count(*) from app.findings where fixed_in = '4.17.12' and severity = 'CRITICAL'")).ShouldBe(4);
        scanner.Requests.ShouldAllBe(request => request.Path == "/v1/query" && request.Body.Contains("\"ecosystem\":\"npm\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SharedRateLimiter_KeepsTheRateAcrossHosts()
    {
        // Two limiters on two connection pools stand for two hosts sharing one bucket.
        await using var other = NpgsqlDataSourceFor(fixture);
        var limiters = new[] { new SharedRateLimiter(fixture.Db), new SharedRateLimiter(other) };
        var key = $"test-{Guid.NewGuid():N}";
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => limiters[i % 2].AcquireAsync(key, 10, 1, CancellationToken.None)));

        // 16 tokens at 10/s from a bucket of 1: at least 1.5 s, whichever host asked.
        clock.Elapsed.ShouldBeGreaterThan(TimeSpan.FromSeconds(1.4));
    }

    private static Npgsql.NpgsqlDataSource NpgsqlDataSourceFor(PackagesFixture fixture) =>
        Npgsql.NpgsqlDataSource.Create(fixture.App.Database.ConnectionString + ";Application Name=second-host");
}
