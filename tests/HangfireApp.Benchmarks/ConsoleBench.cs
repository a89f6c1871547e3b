using System.Diagnostics;
using System.Globalization;

namespace HangfireApp.Benchmarks;

/// <summary>
/// The job console's cost (issue 4: under 5% of chunk throughput). Two hosts run side by side on their own
/// databases, identical but for <c>JobConsole:Enabled</c>; batches alternate between them (off, on, on, off, …)
/// so that the load of a shared, noisy machine falls on both alike, and the medians are compared. Two
/// workloads: the chunk job's own lines and progress (what every batch pays), and a stress case where every
/// item also writes a line.
/// </summary>
internal static class ConsoleBench
{
    public static async Task<int> RunAsync(string server, int items, int chunk, int workers, int pairs, Action<string> report)
    {
        report($"Console overhead: two hosts (console off / on), {pairs} alternating pairs of {items:N0}-item batches per workload, chunk size {chunk}, {workers} workers, 16 items in flight per chunk.");
        report("");
        Dictionary<string, string> Settings(bool console) => new()
        {
            ["WorkerTypes:bench:ChunkSize"] = chunk.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "16",
            ["Hangfire:Servers:0:Name"] = console ? "console-on" : "console-off",
            ["Hangfire:Servers:0:Queues:0"] = "bench",
            ["Hangfire:Servers:0:Queues:1"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
            ["JobConsole:Enabled"] = console ? "true" : "false",
        };
        await using var off = await BenchHost.StartAsync(server, Settings(false));
        await using var on = await BenchHost.StartAsync(server, Settings(true));
        report("| workload | console off: median items/s (min–max) | console on: median items/s (min–max) | overhead of the medians | pairs where on was slower | lines stored per batch | flush statements per batch |");
        report("|---|---|---|---|---|---|---|");
        var summary = new List<string>();
        foreach (var (name, payload) in new (string, object)[] { ("chunk events", new { }), ("+ 1 line per item", new { consoleLine = true }) })
        {
            var body = Enumerable.Repeat(payload, items).ToArray();
            // Warm-up: JIT, connection pools, Hangfire's first fetches.
            await RunBatchAsync(off, body);
            await RunBatchAsync(on, body);
            var linesBefore = await on.ScalarAsync<long>("select count(*) + @id from app.console_lines", 0);
            var flushesBefore = await on.ScalarAsync<long>("select count(distinct xmin::text) + @id from app.console_lines", 0);
            var offRates = new List<double>();
            var onRates = new List<double>();
            var slower = 0;
            for (var pair = 0; pair < pairs; pair++)
            {
                double offRate, onRate;
                if (pair % 2 == 0)
                {
                    offRate = await RunBatchAsync(off, body);
                    onRate = await RunBatchAsync(on, body);
                }
                else
                {
                    onRate = await RunBatchAsync(on, body);
                    offRate = await RunBatchAsync(off, body);
                }
                offRates.Add(offRate);
                onRates.Add(onRate);
                slower += onRate < offRate ? 1 : 0;
            }
            await Task.Delay(500); // a console's last flush lands as its job ends, just after the batch is final
            var lines = (await on.ScalarAsync<long>("select count(*) + @id from app.console_lines", 0)) - linesBefore;
            var flushes = (await on.ScalarAsync<long>("select count(distinct xmin::text) + @id from app.console_lines", 0)) - flushesBefore;
            var overhead = (Median(offRates) - Median(onRates)) / Median(offRates) * 100;
            report(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {Median(offRates):N0} ({offRates.Min():N0}–{offRates.Max():N0}) | {Median(onRates):N0} ({onRates.Min():N0}–{onRates.Max():N0}) | **{overhead:+0.0;-0.0}%** | {slower} of {pairs} | {lines / pairs:N0} | {flushes / (double)pairs:0.#} |"));
            summary.Add(string.Create(CultureInfo.InvariantCulture,
                $"- {name}: off {string.Join(", ", offRates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))}; on {string.Join(", ", onRates.Select(r => r.ToString("N0", CultureInfo.InvariantCulture)))} items/s"));
        }
        report("");
        report("Every batch (items/s, in the order run):");
        summary.ForEach(report);
        return 0;
    }

    private static async Task<double> RunBatchAsync(BenchHost host, object[] body)
    {
        var started = Stopwatch.StartNew();
        var id = await host.SubmitAsync(new { workerType = "bench", items = body });
        await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
        return body.Length / started.Elapsed.TotalSeconds;
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
