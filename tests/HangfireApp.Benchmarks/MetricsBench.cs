using System.Diagnostics;
using System.Globalization;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--metrics</c>: the cost of a <c>/metrics</c> scrape (issue 13), side by side with <c>/health/live</c> on the same
/// host as the baseline. Two hosts share one database with a realistic backlog (batches whose chunk jobs wait in a
/// queue no server fetches, so the queue-depth query has rows to count): one host reads the cluster gauges from the
/// database on every scrape (<c>Metrics:CacheDuration=0</c>, the worst case), the other serves them from its 5-second
/// cache (the default, when Prometheus scrapes more often than that or several hosts are scraped). Round trip on
/// loopback and host CPU per request, requests alternating between the rows so that load drift hits them alike.
/// </summary>
internal static class MetricsBench
{
    private const int Warmup = 5;

    public static async Task<int> RunAsync(string server, int batches, int itemsPerBatch, int samples)
    {
        Console.WriteLine($"## /metrics scrape cost, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        var settings = new Dictionary<string, string>
        {
            ["WorkerTypes:bench:ChunkSize"] = "10",
            // The only server fetches the default queue: the bench chunk jobs stay enqueued, a backlog to count.
            ["Hangfire:Servers:0:Name"] = "engine",
            ["Hangfire:Servers:0:Queues:0"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = "4",
            ["Metrics:CacheDuration"] = "00:00:00",
        };
        await using var uncached = await BenchHost.StartAsync(server, settings);
        var started = Stopwatch.StartNew();
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            await uncached.SubmitAsync(new { workerType = "bench", items = Enumerable.Repeat(new { }, itemsPerBatch).ToArray(), description = $"backlog {i}" });
        });
        var queued = await uncached.ScalarAsync<long>("select count(*) + @id from hangfire.jobqueue where fetchedat is null", 0);
        Console.WriteLine($"Data: {batches:N0} batches of {itemsPerBatch:N0} items in chunks of 10: {queued:N0} chunk jobs waiting in bench-2-normal (submitted in {started.Elapsed.TotalSeconds:0.0} s).");
        settings["Metrics:CacheDuration"] = "00:00:05";
        await using var cached = await BenchHost.JoinAsync(uncached, settings);

        var rows = new (string Name, BenchHost Host, string Path, List<double> Times, List<double> CpuMs)[]
        {
            ("`/health/live` (baseline, same host)", uncached, "/health/live", [], []),
            ("`/metrics`, gauges read from the database every scrape (`CacheDuration=0`)", uncached, "/metrics", [], []),
            ("`/metrics`, gauges from the 5 s cache (default)", cached, "/metrics", [], []),
        };
        long metricsBytes = 0;
        for (var i = 0; i < Warmup + samples; i++)
        {
            foreach (var row in rows)
            {
                var cpu = row.Host.CpuTime();
                var watch = Stopwatch.StartNew();
                var bytes = await row.Host.GetPageAsync(row.Path);
                var elapsed = watch.Elapsed.TotalMilliseconds;
                if (i >= Warmup)
                {
                    row.Times.Add(elapsed);
                    row.CpuMs.Add((row.Host.CpuTime() - cpu).TotalMilliseconds);
                }
                if (row.Path == "/metrics")
                {
                    metricsBytes = bytes;
                }
            }
        }
        Console.WriteLine($"{samples} samples per row after {Warmup} warm-ups; a scrape answers {metricsBytes / 1024.0:0} KB of text.");
        Console.WriteLine();
        Console.WriteLine("| request | median | p95 | host CPU per request (mean) |");
        Console.WriteLine("|---|---|---|---|");
        foreach (var row in rows)
        {
            row.Times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {row.Name} | {row.Times[samples / 2]:0.0} ms | {row.Times[(int)Math.Ceiling(0.95 * samples) - 1]:0.0} ms | {row.CpuMs.Average():0.0} ms |"));
        }
        return 0;
    }
}
