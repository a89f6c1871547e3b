using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using HangfireApp.Benchmarks;
using HangfireApp.Workers.Bench;

// The benchmark harness of issue 3. Every figure is measured in this run, on this machine, against a
// local PostgreSQL, with the host as a separate OS process (as in production). Prints a Markdown report.
var server = Environment.GetEnvironmentVariable("HANGFIREAPP_TEST_CONNECTION")
    ?? "Host=127.0.0.1;Port=55432;Database=postgres;Username=hangfireapp;Password=hangfireapp";
if (args.Contains("--telemetry"))
{
    // The telemetry benchmark of issue 12: matches/s through the engine (two hosts) vs a sequential loop, same parser.
    var cache = Environment.GetEnvironmentVariable("BENCH_TELEMETRY_CACHE") ?? Path.Combine(Path.GetTempPath(), "hangfireapp-bench-telemetry");
    return await TelemetryBench.RunAsync(server, Arg("--matches", 40), cache, args.Contains("--own-sessions"), Arg("--chunk", 0),
        Arg("--warm-up", 4 * Environment.ProcessorCount), Arg("--settle-rounds", 24),
        Arg("--players", 100), Arg("--dop", 0), Arg("--workers", Environment.ProcessorCount), args.Contains("--loop-only"), Arg("--parses", 0),
        // --set KEY=VALUE (repeatable): an extra setting or environment variable for both hosts, for experiments.
        args.Select((arg, i) => (arg, i)).Where(a => a.arg == "--set" && a.i + 1 < args.Length).Select(a => args[a.i + 1].Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]),
        Arg("--sets", 3));
}
if (args.Contains("--scrape"))
{
    // The scrape benchmark of issue 5: pages/s at the default politeness against one page at a time.
    return await ScrapeBench.RunAsync(server, Arg("--pages", 1_000), Arg("--hosts", 50), Arg("--latency-ms", 50));
}
if (args.Contains("--documents"))
{
    // The documents benchmark of issue 11: pages through the pipeline vs the tesseract command line, same run.
    var documentsReport = new List<string>();
    var documentsStatus = await DocumentsBench.RunAsync(server, Arg("--pages", 20), !args.Contains("--no-cli"), line =>
    {
        Console.WriteLine(line);
        documentsReport.Add(line);
    });
    if (Environment.GetEnvironmentVariable("BENCH_REPORT") is { } documentsOutput)
    {
        await File.WriteAllLinesAsync(documentsOutput, documentsReport);
    }
    return documentsStatus;
}
if (args.Contains("--packages"))
{
    // The packages benchmark of issue 5: a separate mode, so the engine benchmark stays as it was.
    // The module's defaults unless overridden: --packages-chunk, --packages-slice, --packages-dop. --packages-loops 0
    // measures the engine only (no baseline, no slice loop): for development, never for the figures.
    var packageSettings = new Dictionary<string, string>();
    foreach (var (arg, key) in new[] { ("--packages-chunk", "ChunkSize"), ("--packages-slice", "SliceSize"), ("--packages-dop", "MaxDegreeOfParallelism") })
    {
        if (Arg(arg, 0) is > 0 and var value)
        {
            packageSettings[$"WorkerTypes:packages:{key}"] = value.ToString(CultureInfo.InvariantCulture);
        }
    }
    return await PackagesBench.RunAsync(server, Arg("--packages-count", 10_000), Arg("--advisories", 50_000), Arg("--import-mb", 200), Arg("--packages-warmup", 500), Arg("--packages-loops", 1) > 0, packageSettings);
}
if (args.Contains("--metrics"))
{
    // The cost of a /metrics scrape next to /health/live (issue 13).
    return await MetricsBench.RunAsync(server, Arg("--metrics-batches", 200), Arg("--metrics-items", 500), Arg("--samples", 50));
}
if (args.Contains("--dashboard"))
{
    // Page timings of the Batches dashboard pages (issue 4).
    return await DashboardBench.RunAsync(server, Arg("--batches", 1_000), Arg("--big-items", 100_000));
}
if (args.Contains("--rows"))
{
    // The rows benchmark of issue 5: 10,000 rows against a local 100 ms endpoint, engine vs one at a time.
    return await RowsBench.RunAsync(server, Arg("--rows-count", 10_000), Arg("--rows-inflight", 200), Arg("--rows-chunk", 250),
        Arg("--rows-dop", 64), Arg("--rows-workers", 0), Arg("--rows-baseline", 300));
}
var engineItems = Arg("--items", 100_000);
var engineChunk = Arg("--chunk", 4_000);
var engineWorkers = Arg("--workers", 6);
if (args.Contains("--console-overhead"))
{
    // The job console's cost (issue 4): the engine benchmark with the console off and on, side by side.
    var consoleReport = new List<string>();
    var status = await ConsoleBench.RunAsync(server, Arg("--items", 20_000), engineChunk, engineWorkers, Arg("--pairs", 10), line =>
    {
        Console.WriteLine(line);
        consoleReport.Add(line);
    });
    if (Environment.GetEnvironmentVariable("BENCH_REPORT") is { } consoleOutput)
    {
        await File.WriteAllLinesAsync(consoleOutput, consoleReport);
    }
    return status;
}
var ioChunk = Arg("--io-chunk", 2_500);
var baselineUnits = Arg("--baseline", 10_000);
var report = new List<string>();
void Report(string line)
{
    Console.WriteLine(line);
    report.Add(line);
}

Report($"## Run of {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
Report("");

// 1 and 2: engine throughput against the naive baseline.
double engineRate;
long peakSubmit100k;
var engineSettings = new Dictionary<string, string>
{
    ["WorkerTypes:bench:ChunkSize"] = engineChunk.ToString(CultureInfo.InvariantCulture),
    ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "16",
    ["Hangfire:Servers:0:Name"] = "engine",
    ["Hangfire:Servers:0:Queues:0"] = "bench",
    ["Hangfire:Servers:0:Queues:1"] = "default",
    ["Hangfire:Servers:0:WorkerCount"] = engineWorkers.ToString(CultureInfo.InvariantCulture),
};
Report($"Engine settings: chunk size {engineChunk}, {engineWorkers} workers, 16 items in flight per chunk; baseline on the same host.");
await using (var host = await BenchHost.StartAsync(server, engineSettings))
{
    var items = Enumerable.Repeat(new { }, engineItems).ToArray();
    var started = Stopwatch.StartNew();
    var id = await host.SubmitAsync(new { workerType = "bench", items });
    var submitMs = started.ElapsedMilliseconds;
    await host.WaitFinalAsync(id, TimeSpan.FromMinutes(5));
    var seconds = started.Elapsed.TotalSeconds;
    engineRate = engineItems / seconds;
    peakSubmit100k = host.PeakRssMb();
    Report($"1. Engine: {engineItems:N0} no-op items, submit → final in {seconds:0.00} s (submit request {submitMs} ms): **{engineRate:N0} items/s**");
    // Where the time went, to tell a slow run's cause (late pickup, one slow chunk, slow finalisation) from noise.
    Report("   Chunk timeline: " + await host.ScalarAsync<string>("""
        select format('%s chunks; starts +%s..+%s ms after the batch was created; run time median %s ms, max %s ms; last finish +%s ms; batch final +%s ms; attempts > 1: %s',
            count(*),
            round(extract(epoch from min(c.started_at) - b.created_at) * 1000), round(extract(epoch from max(c.started_at) - b.created_at) * 1000),
            round(extract(epoch from percentile_cont(0.5) within group (order by c.finished_at - c.started_at)) * 1000),
            round(extract(epoch from max(c.finished_at - c.started_at)) * 1000),
            round(extract(epoch from max(c.finished_at) - b.created_at) * 1000),
            round(extract(epoch from b.finished_at - b.created_at) * 1000),
            count(*) filter (where c.attempt > 1))
        from app.chunks c join app.batches b on b.id = c.batch_id where c.batch_id = @id group by b.created_at, b.finished_at
        """, id));

    var baselineRate = await RunBaselineAsync(host, baselineUnits);
    Report($"2. Naive baseline: {baselineUnits:N0} no-op Hangfire jobs, one per unit, same host: **{baselineRate:N0} units/s** → engine/baseline = **{engineRate / baselineRate:N0}×**");
}
if (args.Contains("--engine-only"))
{
    return 0;
}

// 3: I/O efficiency at 200 items in flight in total (4 workers × 50 per chunk).
await using (var host = await BenchHost.StartAsync(server, new()
{
    ["WorkerTypes:bench:ChunkSize"] = ioChunk.ToString(CultureInfo.InvariantCulture),
    ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "50",
    ["Hangfire:Servers:0:Name"] = "io",
    ["Hangfire:Servers:0:Queues:0"] = "bench",
    ["Hangfire:Servers:0:Queues:1"] = "default",
    ["Hangfire:Servers:0:WorkerCount"] = "4",
}))
{
    var started = Stopwatch.StartNew();
    var id = await host.SubmitAsync(new { workerType = "bench", items = Enumerable.Repeat(new { delayMs = 100 }, 10_000).ToArray() });
    await host.WaitFinalAsync(id, TimeSpan.FromMinutes(5));
    var rate = 10_000 / started.Elapsed.TotalSeconds;
    Report($"3. I/O: 10,000 items of 100 ms at 200 in flight: {rate:N0} items/s of an ideal 2,000/s → efficiency **{rate / 2000:0.00}**");

    // 4: pickup latency, submitted from this (another) process: chunk start − batch creation.
    var pickups = new List<double>();
    for (var i = 0; i < 60; i++)
    {
        var one = await host.SubmitAsync(new { workerType = "bench", items = new[] { new { } } });
        await host.WaitFinalAsync(one, TimeSpan.FromSeconds(30));
        pickups.Add(await host.ScalarMsAsync(
            "select extract(epoch from (min(c.started_at) - b.created_at)) * 1000 from app.batches b join app.chunks c on c.batch_id = b.id where b.id = @id group by b.created_at", one));
    }
    Report($"4. Chunk pickup latency (60 one-item batches, sequential): p50 **{Percentile(pickups, 50):0.0} ms**, p99 **{Percentile(pickups, 99):0.0} ms**");

    // 5: fan-in latency: the parent's last chunk final → the child's first chunk started.
    var fanIns = new List<double>();
    for (var i = 0; i < 40; i++)
    {
        var parent = await host.SubmitAsync(new
        {
            workerType = "bench", items = Enumerable.Repeat(new { }, 20).ToArray(), chunkSize = 5,
            continuation = new { next = new { workerType = "bench" } },
        });
        await host.WaitFinalAsync(parent, TimeSpan.FromSeconds(30));
        var child = await host.ScalarAsync<long>("select next_batch_id from app.continuations where batch_id = @id", parent);
        await host.WaitFinalAsync(child, TimeSpan.FromSeconds(30));
        fanIns.Add(await host.ScalarMsAsync("""
            select extract(epoch from ((select min(started_at) from app.chunks where batch_id = c.next_batch_id)
                                     - (select max(finished_at) from app.chunks where batch_id = c.batch_id))) * 1000
            from app.continuations c where c.batch_id = @id
            """, parent));
    }
    Report($"5. Fan-in latency (40 pipelines): p50 **{Percentile(fanIns, 50):0.0} ms**, p99 **{Percentile(fanIns, 99):0.0} ms**");
}

// 6: memory while one request submits 100,000 items, and a 1,000,000-item batch in 10 requests.
Report($"6. Peak RSS of the host, one request of 100,000 items (run 1): **{peakSubmit100k} MB**");
await using (var host = await BenchHost.StartAsync(server, engineSettings))
{
    var started = Stopwatch.StartNew();
    var ids = new List<long>();
    for (var i = 0; i < 10; i++)
    {
        ids.Add(await host.SubmitAsync(new { workerType = "bench", items = Enumerable.Repeat(new { }, 100_000).ToArray(), description = $"part {i + 1} of 10" }));
    }
    foreach (var id in ids)
    {
        await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
    }
    Report($"   1,000,000 items in 10 requests of 100,000: all final in {started.Elapsed.TotalSeconds:0.0} s ({1_000_000 / started.Elapsed.TotalSeconds:N0} items/s), peak RSS **{host.PeakRssMb()} MB**");
}

var output = Environment.GetEnvironmentVariable("BENCH_REPORT");
if (output is not null)
{
    await File.WriteAllLinesAsync(output, report);
}
return 0;

static async Task<double> RunBaselineAsync(BenchHost host, int units)
{
    var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false, EnableLongPolling = true };
    var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(host.ConnectionString, options, null), options);
    var client = new BackgroundJobClient(storage);
    var first = long.Parse(client.Enqueue(() => BaselineJob.Noop(-1)), CultureInfo.InvariantCulture);
    var started = Stopwatch.StartNew();
    // Enqueued from 8 threads, so the baseline is not held back by one client's round trips.
    Parallel.For(0, units, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => client.Enqueue(() => BaselineJob.Noop(i)));
    while (await host.ScalarAsync<long>("select count(*) from hangfire.job where id > @id and statename = 'Succeeded'", first) < units)
    {
        await Task.Delay(200);
    }
    return units / started.Elapsed.TotalSeconds;
}

static double Percentile(List<double> values, double percentile)
{
    var sorted = values.Order().ToList();
    return sorted[Math.Clamp((int)Math.Ceiling(percentile / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
}

int Arg(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
}
