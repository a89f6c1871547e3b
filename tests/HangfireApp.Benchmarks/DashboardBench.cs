using System.Diagnostics;
using System.Globalization;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--dashboard</c>: server time of the Batches pages with realistic data: the list with 1,000 batches in the
/// database, and the details page of a 100,000-item batch (200 chunks, 5,000 failed items in one error group),
/// measured as the round trip of a signed-in operator's GET on loopback to the host process (no browser rendering included).
/// </summary>
internal static class DashboardBench
{
    private const int Warmup = 3;
    private const int Samples = 30;

    public static async Task<int> RunAsync(string server, int batches, int bigItems)
    {
        Console.WriteLine($"## Dashboard page timings, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        await using var host = await BenchHost.StartAsync(server, new()
        {
            ["WorkerTypes:bench:ChunkSize"] = "500",
            ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "16",
            ["WorkerTypes:bench:Retry:Attempts"] = "1",
            ["Hangfire:Servers:0:Name"] = "engine",
            ["Hangfire:Servers:0:Queues:0"] = "bench",
            ["Hangfire:Servers:0:Queues:1"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = "4",
        });
        await host.SignInToDashboardAsync();

        var started = Stopwatch.StartNew();
        var ids = new long[batches];
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (i, _) =>
        {
            var items = Enumerable.Range(0, 10).Select(n => (object)new { fail = (i + n) % 25 == 0 ? "always" : "never" }).ToArray();
            ids[i] = await host.SubmitAsync(new { workerType = "bench", items, description = $"batch {i} of {batches}" });
        });
        var bigItemsList = Enumerable.Range(0, bigItems).Select(n => (object)new { fail = n % 20 == 0 ? "always" : "never" }).ToArray();
        var big = await host.SubmitAsync(new { workerType = "bench", items = bigItemsList, description = "the big one" });
        foreach (var id in ids.Append(big))
        {
            await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
        }
        Console.WriteLine($"Data: {batches:N0} batches of 10 items and one of {bigItems:N0} items (chunk size 500, 1 in 20 failing), all final in {started.Elapsed.TotalSeconds:0.0} s.");
        Console.WriteLine();
        Console.WriteLine($"| page | median | p95 | size |");
        Console.WriteLine($"|---|---|---|---|");
        var lastPage = (batches + 1 + 49) / 50;
        foreach (var (name, path) in new[]
        {
            ($"Batches list, page 1 of {lastPage} (50 rows)", "/hangfire/batches"),
            ($"Batches list, page {lastPage}", $"/hangfire/batches?page={lastPage}"),
            ("Batches list filtered (state=completed_with_failures, workerType=bench)", "/hangfire/batches?state=completed_with_failures&workerType=bench"),
            ("Batches list live JSON (page 1)", "/hangfire/batches/live"),
            ($"Details of the {bigItems:N0}-item batch (chunks page 1 of 2, error groups)", $"/hangfire/batches/{big}"),
            ($"Details live JSON of the {bigItems:N0}-item batch", $"/hangfire/batches/{big}/live"),
            ("Details of a 10-item batch", $"/hangfire/batches/{ids[0]}"),
            ("Worker types", "/hangfire/worker-types"),
            ("Hangfire's own Servers page (the layout's cost, for comparison)", "/hangfire/servers"),
        })
        {
            var times = new List<double>();
            long bytes = 0;
            for (var i = 0; i < Warmup + Samples; i++)
            {
                var watch = Stopwatch.StartNew();
                bytes = await host.GetPageAsync(path);
                if (i >= Warmup)
                {
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {times[Samples / 2]:0.0} ms | {times[(int)Math.Ceiling(0.95 * Samples) - 1]:0.0} ms | {bytes / 1024.0:0} KB |"));
        }
        return 0;
    }
}
