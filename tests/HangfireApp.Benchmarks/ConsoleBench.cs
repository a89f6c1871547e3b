using System.Diagnostics;
using System.Globalization;

namespace HangfireApp.Benchmarks;

/// <summary>
/// The job console's cost (issue 4: under 5% of chunk throughput): the engine benchmark with the console off
/// and on, side by side in one run, alternating the order per round because the machine is shared and noisy.
/// Two workloads: the chunk job's own lines and progress (what every batch pays), and a stress case where
/// every item also writes a line.
/// </summary>
internal static class ConsoleBench
{
    public static async Task<int> RunAsync(string server, int items, int chunk, int workers, int rounds, Action<string> report)
    {
        report($"Console overhead: {items:N0} no-op items, chunk size {chunk}, {workers} workers, 16 items in flight per chunk; {rounds} round(s), order alternating.");
        report("");
        report("| round | workload | console off (items/s) | console on (items/s) | overhead | lines stored | flush statements |");
        report("|---|---|---|---|---|---|---|");
        var overheads = new Dictionary<string, List<double>>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var (name, payload) in new (string, object)[] { ("chunk events", new { }), ("+ 1 line per item", new { consoleLine = true }) })
            {
                var onFirst = round % 2 == 0;
                var results = new Dictionary<bool, (double Rate, long Lines, long Flushes)>();
                foreach (var enabled in onFirst ? new[] { true, false } : [false, true])
                {
                    results[enabled] = await RunOnceAsync(server, items, chunk, workers, enabled, payload);
                }
                var off = results[false].Rate;
                var on = results[true].Rate;
                var overhead = (off - on) / off * 100;
                (overheads.TryGetValue(name, out var list) ? list : overheads[name] = []).Add(overhead);
                report(string.Create(CultureInfo.InvariantCulture,
                    $"| {round} | {name} | {off:N0} | {on:N0} | **{overhead:+0.0;-0.0}%** | {results[true].Lines:N0} | {results[true].Flushes:N0} |"));
            }
        }
        report("");
        foreach (var (name, list) in overheads)
        {
            report(string.Create(CultureInfo.InvariantCulture, $"- {name}: overhead per round {string.Join(", ", list.Select(o => o.ToString("+0.0;-0.0", CultureInfo.InvariantCulture) + "%"))}; mean **{list.Average():+0.0;-0.0}%** (negative: faster with the console on, i.e. noise)"));
        }
        return 0;
    }

    private static async Task<(double Rate, long Lines, long Flushes)> RunOnceAsync(string server, int items, int chunk, int workers, bool console, object payload)
    {
        await using var host = await BenchHost.StartAsync(server, new Dictionary<string, string>
        {
            ["WorkerTypes:bench:ChunkSize"] = chunk.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "16",
            ["Hangfire:Servers:0:Name"] = "engine",
            ["Hangfire:Servers:0:Queues:0"] = "bench",
            ["Hangfire:Servers:0:Queues:1"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
            ["JobConsole:Enabled"] = console ? "true" : "false",
        });
        var body = Enumerable.Repeat(payload, items).ToArray();
        var started = Stopwatch.StartNew();
        var id = await host.SubmitAsync(new { workerType = "bench", items = body });
        await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
        var rate = items / started.Elapsed.TotalSeconds;
        // The last flush of each console lands as its job ends, just after the batch is final.
        await Task.Delay(500);
        var lines = await host.ScalarAsync<long>("select count(*) + @id from app.console_lines", 0);
        var flushes = await host.ScalarAsync<long>("select count(distinct xmin::text) + @id from app.console_lines", 0);
        return (rate, lines, flushes);
    }
}
