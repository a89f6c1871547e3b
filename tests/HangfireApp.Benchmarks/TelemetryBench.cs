using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using HangfireApp.TestSupport.Telemetry;
using HangfireApp.Workers.Telemetry.Parsing;
using HangfireApp.Workers.Telemetry.Storage;
using Npgsql;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--telemetry</c>: N realistic matches (deterministic generator: ~45,000 events, ~23 MB of JSON each, gzip) uploaded
/// once, then processed through the engine — one batch on two host processes sharing the database — against two
/// sequential loops in the same run: the parse-only loop (the same parser over the same gzip bytes from memory, no I/O)
/// and the loop doing the same work as the engine's items (mark processing, read the stored parts, parse, save), one
/// match at a time. Then more sets of other matches, each timed the same way side by side, and the medians. Also the
/// machine's own two-thread limit, the parser's MB/s per CPU-second, each host's share, memory per match in flight and
/// an engine-free bound.
/// </summary>
internal static class TelemetryBench
{
    public static async Task<int> RunAsync(string server, int matchCount, string cacheFolder, bool ownSessions, int chunkSize, int warmUpCount, int settleRounds, int playersPerMatch, int dop, int workers, bool loopOnly, int parses, Dictionary<string, string> extraSettings, int sets)
    {
        Console.WriteLine($"## Telemetry benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        Console.WriteLine($"- Load before: {Load()}");
        var files = await GenerateAsync(playersPerMatch == 100 ? 1 : 3001, matchCount, cacheFolder, playersPerMatch);
        var warmUp = await GenerateAsync(1001, warmUpCount, cacheFolder);
        // More sets of other matches, each timed the same way after the first (loop, engine, same-work loop side by side):
        // the machine's speed drifts by tens of percent within minutes here, so one pair of runs is one sample, not a result.
        var moreSets = new List<IReadOnlyList<GeneratedMatch>>();
        for (var set = 1; set < sets && playersPerMatch == 100; set++)
        {
            moreSets.Add(await GenerateAsync(1 + set * matchCount, matchCount, cacheFolder));
        }
        var jsonBytes = files.Sum(f => f.JsonBytes);
        Console.WriteLine($"- {matchCount} matches: {files.Average(f => f.Events):N0} events and {files.Average(f => f.JsonBytes) / 1e6:0.0} MB of JSON each on average, "
            + $"{files.Average(f => f.Gzip.Length) / 1e6:0.00} MB gzip; {jsonBytes / 1e6:N0} MB of JSON in all");

        // Baseline, the old way: one match after another in one loop, same parser, same bytes (from memory: no I/O at all).
        await ParseAllAsync(warmUp); // warm-up (JIT: the loop's steady state), not timed: the matches the hosts warm up with
        var allocated = GC.GetTotalAllocatedBytes();
        var loopFrom = Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC on Linux: lines the loop up with `perf record -k CLOCK_MONOTONIC`
        var (loopSeconds, loopCpu, loopMachine) = await TimeParseOnlyAsync(files);
        var allocatedPerMatch = (GC.GetTotalAllocatedBytes() - allocated) / (double)matchCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- Loop window on CLOCK_MONOTONIC (for `perf report --time`): {loopFrom / (double)Stopwatch.Frequency:0.000000},{Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency:0.000000}; benchmark pid {Environment.ProcessId}"));
        var loopRate = matchCount / loopSeconds;
        Console.WriteLine($"- Loop: {matchCount} matches in {loopSeconds:0.00} s: **{loopRate:0.00} matches/s**; parser {jsonBytes / 1e6 / loopCpu:N0} MB of JSON per CPU-second "
            + $"({jsonBytes / 1e6 / loopSeconds:N0} MB/s wall, one thread); {allocatedPerMatch / 1024:N0} KB allocated per match; machine: {loopMachine}");

        // The machine's own limit for this work: the same loop on one thread per core (each parses its share of the
        // matches, from memory). On real cores that is about Cores× the loop; shared cores (SMT siblings, a busy
        // hypervisor) give less, and no engine can beat it.
        var parallelCpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount },
            async (file, _) => await ParseAllAsync([file]));
        var parallelSeconds = clock.Elapsed.TotalSeconds;
        var parallelCpuPerMatch = (Environment.CpuUsage.TotalTime - parallelCpu).TotalMilliseconds / matchCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- Loop on {Environment.ProcessorCount} threads (the machine's limit for the parse, no engine, no I/O): {matchCount / parallelSeconds:0.00} matches/s = "
            + $"**{matchCount / parallelSeconds / loopRate:0.00}× the loop**; CPU per match {parallelCpuPerMatch:0.0} ms against the loop's {loopCpu / matchCount * 1000:0.0} ms"));
        if (loopOnly)
        {
            return 0;
        }

        var settings = new Dictionary<string, string>
        {
            ["WorkerTypes:bench:Enabled"] = "false",
            ["WorkerTypes:telemetry:PendingSweepCron"] = "0 0 1 1 *",
            // Every upload is one batch: the timed one and each warm-up round (larger than the timed batch).
            ["WorkerTypes:telemetry:MaxMatchesPerCycle"] = Math.Max(matchCount, SettleRoundMatches).ToString(CultureInfo.InvariantCulture),
            // The README's deployment advice for CPU-bound matches: a server on the telemetry queue with one worker per
            // processor, so a host fetches only what it can parse and idle hosts take the rest; housekeeping apart.
            ["Hangfire:Servers:0:Name"] = "telemetry",
            ["Hangfire:Servers:0:Queues:0"] = "telemetry",
            ["Hangfire:Servers:0:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture),
            ["Hangfire:Servers:1:Name"] = "housekeeping",
            ["Hangfire:Servers:1:Queues:0"] = "default",
            ["Hangfire:Servers:1:Queues:1"] = "maintenance",
            ["Hangfire:Servers:1:WorkerCount"] = "2",
            // The README's runtime advice for CPU-bound telemetry hosts: idle thread-pool threads sleep at once instead
            // of spinning (sched_yield) for work; on a busy machine the spinning took ~8% of the hosts' CPU.
            ["DOTNET_ThreadPool_UnfairSemaphoreSpinLimit"] = "0",
        };
        if (chunkSize > 0)
        {
            settings["WorkerTypes:telemetry:ChunkSize"] = chunkSize.ToString(CultureInfo.InvariantCulture);
        }
        foreach (var (key, value) in extraSettings)
        {
            settings[key] = value;
        }
        if (parses > 0)
        {
            settings["WorkerTypes:telemetry:MaxConcurrentParses"] = parses.ToString(CultureInfo.InvariantCulture);
        }
        if (dop > 0)
        {
            settings["WorkerTypes:telemetry:MaxDegreeOfParallelism"] = dop.ToString(CultureInfo.InvariantCulture);
        }
        await using var first = await BenchHost.StartAsync(server, settings, ownSessions);
        await using var second = await BenchHost.JoinAsync(first, settings, ownSessions);
        Console.WriteLine($"- Engine settings: {(chunkSize > 0 ? $"{chunkSize} match(es)" : "the module's default matches")} per chunk, {(dop > 0 ? $"{dop} at once" : "the module's default at once")} per chunk, a telemetry server of {workers} workers per host, {(parses > 0 ? parses : Environment.ProcessorCount)} parses at once per host, "
            + "DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0 (README: telemetry hosts)" + string.Concat(extraSettings.Select(kv => $", {kv.Key}={kv.Value}")));
        Console.WriteLine(ownSessions
            ? "- Hosts in sessions of their own (setsid), as a service manager starts them: each gets its own CPU share on a busy machine"
            : "- Hosts in the benchmark's session: with autogroup scheduling they share one CPU share with the loop's process on a busy machine");
        await BenchHost.UntilAsync(async () => await first.ScalarAsync<long>("select count(distinct split_part(id, ':', 2)) from hangfire.server where @id = @id", 0) >= 2,
            TimeSpan.FromSeconds(60), "both hosts' job servers to register"); // both servers heartbeating and polling
        // Hosts are long-lived in production: the timed batch measures their steady state, as the loop's does. First
        // the warm-up matches (the parser tiers up within a match); then rounds of 80 small matches (8 players: the
        // same per-chunk path at a tenth of the cost) until a round leaves the JIT of both hosts almost idle: the
        // per-chunk path (Hangfire, Npgsql, the engine) runs once per chunk, and each of its methods is compiled
        // twice more (instrumented, then optimized) after 30 calls each, later still on a busy machine.
        // Memory per match in flight: peak RSS (warm-up included: the same matches) over the fresh idle host's, a bound
        // from above (it also counts code the JIT compiled and heap the GC keeps after a parse).
        var idleRss = (First: first.PeakRssMb(), Second: second.PeakRssMb());
        var warmRounds = new List<string>();
        await WarmUpRoundAsync(first, second, warmUp, warmRounds);
        for (var round = 0; round < settleRounds; round++)
        {
            // 80 a round: with the default ten matches per chunk that is four chunk runs per host per round, so the
            // per-chunk path reaches its 30-call thresholds within the rounds (with 40 a round and chunks of four it had
            // not in 12).
            var small = await GenerateAsync(2001 + round * SettleRoundMatches, SettleRoundMatches, cacheFolder, players: 8);
            if (await WarmUpRoundAsync(first, second, small, warmRounds) < SettledJitMethods)
            {
                break;
            }
        }
        // Then the full-size warm-up matches again, round after round (deleted first, so that each upload registers and
        // processes them anew), until the JIT settles: the timed batches' own paths (uploads of 2 MB files stored in
        // parts, reads of several parts, tables of 100 players) run a few times per batch only. Settled on small matches
        // alone, the hosts still JIT-compiled 90–500 methods in each timed batch: up to 50 ms a match, in the window.
        var warmIds = string.Join(", ", Enumerable.Range(1001, warmUp.Count).Select(seed => $"'{MatchGenerator.MatchIdFor(seed)}'"));
        for (var round = 0; round < settleRounds; round++)
        {
            await first.ScalarAsync<long>($"with gone as (delete from app.telemetry_matches where match_id in ({warmIds}) returning 1) select count(*) + 0 * @id from gone", 0);
            if (await WarmUpRoundAsync(first, second, warmUp, warmRounds) < SettledJitMethods)
            {
                break;
            }
        }
        Console.WriteLine($"- Warm-up, not timed (rounds of other matches; JIT per host): {string.Join("; ", warmRounds)}");
        // The timed window's first snapshot runs right after the upload, while the batch starts. Its first run in this
        // process would JIT-compile its readers of /proc and PostgreSQL there (~30 ms of this process's CPU, measured with
        // perf, on the same two cores as the batch's start-up): one untimed run here.
        _ = await EngineWindow.TakeAsync(first, second);
        // What the two hosts burn doing nothing (polling, heartbeats, metrics), to tell it from the work; after the
        // warm-up's background compilation has settled. The 5 s below is the measurement's window, not a wait.
        await first.UntilJitIdleAsync();
        await second.UntilJitIdleAsync();
        var idleFrom = first.CpuTime() + second.CpuTime();
        var idleClock = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idleCpuPerSecond = (first.CpuTime() + second.CpuTime() - idleFrom).TotalSeconds / idleClock.Elapsed.TotalSeconds;

        // Intake (not timed as processing): one multipart request; its end sweeps the 40 pending matches into one batch.
        using var form = Form(files);
        // The hosts' JIT and GC counters come from their /metrics, and a scrape costs a busy host ~10 ms of CPU and can take
        // a second to answer: read before the upload and after the batch, never inside the timed window.
        var hostsBatch = await HostsSample.TakeAsync(first, second);
        clock.Restart();
        var intake = await first.PostAsync("/api/telemetry/matches", form);
        // CPU from here: the upload (reading 40 files, storing them) is intake, not processing; the batch starts now.
        var windowFrom = Stopwatch.GetTimestamp(); // CLOCK_MONOTONIC on Linux: lines the window up with `perf record -k CLOCK_MONOTONIC`
        var window = await EngineWindow.TakeAsync(first, second);
        var batchId = intake.GetProperty("batchId").GetInt64();
        Console.WriteLine($"- Intake: {intake.GetProperty("registered").GetInt32()} matches uploaded and registered in {clock.Elapsed.TotalSeconds:0.0} s → batch {batchId}");
        await first.WaitFinalAsync(batchId, TimeSpan.FromMinutes(30), FinalPollMs);
        var windowTo = Stopwatch.GetTimestamp();
        var windowEnd = await EngineWindow.TakeAsync(first, second);
        var engineSeconds = await first.ScalarAsync<double>("select extract(epoch from finished_at - created_at)::float8 from app.batches where id = @id", batchId);
        var state = await first.ScalarAsync<string>("select state from app.batches where id = @id", batchId);
        var processed = await first.ScalarAsync<long>("select count(*) from app.telemetry_matches where status = 'processed' and last_batch_id = @id", batchId);
        var players = await first.ScalarAsync<long>("select count(*) from app.telemetry_player_stats s join app.telemetry_matches m using (match_id) where m.last_batch_id = @id", batchId);
        var engineRate = matchCount / engineSeconds;
        var hostCpu = (windowEnd.HostCpu - window.HostCpu).TotalSeconds;
        var databaseCpu = CpuSeconds(windowEnd.Database, window.Database);
        var databaseByType = ByType(windowEnd.Database, window.Database);
        var hostsDuring = (await HostsSample.TakeAsync(first, second)).Since(hostsBatch, matchCount);
        var shares = await SharesAsync(first, batchId);
        var perHost = windowEnd.PerHost(window, first, second, shares);
        Console.WriteLine($"- Engine: batch {state}, {processed} matches processed ({players:N0} player rows) in {engineSeconds:0.00} s (batch created → final): "
            + $"**{engineRate:0.00} matches/s = {engineRate / loopRate:0.00}× the parse-only loop**; both hosts used {hostCpu:0.0} CPU-s "
            + $"({jsonBytes / 1e6 / hostCpu:N0} MB of JSON per host CPU-second, engine and database client included; the two idle hosts burn "
            + $"{idleCpuPerSecond:0.00} CPU-s per second, {idleCpuPerSecond * engineSeconds:0.0} CPU-s of this run); machine from the intake's answer to the batch's end: {windowEnd.MachineSince(window, first, second)}; {perHost}");

        // What the engine would reach on idle cores, from CPU alone (far less sensitive to load than wall time): all of
        // its CPU per match (both hosts and this database's PostgreSQL backends) against the loop's.
        var engineCpuPerMatch = (hostCpu + databaseCpu) / matchCount;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- CPU per match: loop {loopCpu / matchCount * 1000:0.0} ms; engine {engineCpuPerMatch * 1000:0.0} ms (hosts {hostCpu / matchCount * 1000:0.0} ms + PostgreSQL {databaseCpu / matchCount * 1000:0.0} ms): "
            + $"on {Environment.ProcessorCount} idle cores the engine could reach at most **{Environment.ProcessorCount * loopCpu / matchCount / engineCpuPerMatch:0.00}× the loop**"));
        Console.WriteLine($"- PostgreSQL backends of the bench database during the batch, by type: {databaseByType}");
        Console.WriteLine($"- Hosts sharing the batch (Hangfire server of each chunk's Processing state): {shares}");
        var timeline = await first.ScalarAsync<string>("""
            select format('chunk start after batch creation %s–%s s, chunk run %s–%s s (mean %s s), sum of runs %s s',
                round(min(extract(epoch from c.started_at - b.created_at))::numeric, 2), round(max(extract(epoch from c.started_at - b.created_at))::numeric, 2),
                round(min(extract(epoch from c.finished_at - c.started_at))::numeric, 2), round(max(extract(epoch from c.finished_at - c.started_at))::numeric, 2),
                round(avg(extract(epoch from c.finished_at - c.started_at))::numeric, 2), round(sum(extract(epoch from c.finished_at - c.started_at))::numeric, 1))
            from app.chunks c join app.batches b on b.id = c.batch_id where c.batch_id = @id
            """, batchId);
        var parseMs = await first.ScalarAsync<string>("""
            select format('parse (in the handler, gate held) %s–%s ms, mean %s ms', round(min((result ->> 'parseMilliseconds')::numeric)),
                round(max((result ->> 'parseMilliseconds')::numeric)), round(avg((result ->> 'parseMilliseconds')::numeric)))
            from app.items where batch_id = @id
            """, batchId);
        var tail = await first.ScalarAsync<string>("""
            select format('the last match saved at %s s, the last chunk closed at %s s, the batch final at %s s (after batch creation)',
                round(extract(epoch from (select max(processed_at) from app.telemetry_matches where last_batch_id = b.id) - b.created_at)::numeric, 3),
                round(extract(epoch from (select max(finished_at) from app.chunks where batch_id = b.id) - b.created_at)::numeric, 3),
                round(extract(epoch from b.finished_at - b.created_at)::numeric, 3))
            from app.batches b where b.id = @id
            """, batchId);
        Console.WriteLine($"- Timeline: {timeline}; {parseMs}; {tail}");
        // The batch's start-up, where the cores wait for the engine: its chunks' jobs created (Enqueued), taken by a
        // worker (Processing) and claimed (chunk started), each the earliest of the batch, then the first match saved.
        var startUp = await first.ScalarAsync<string>("""
            select format('jobs enqueued at %s–%s s, first Processing at %s s (the 4th at %s s), first chunk claimed at %s s, first match saved at %s s (after batch creation)',
                round(extract(epoch from min(s.createdat) filter (where s.name = 'Enqueued') - b.created_at)::numeric, 3),
                round(extract(epoch from max(s.createdat) filter (where s.name = 'Enqueued') - b.created_at)::numeric, 3),
                round(extract(epoch from min(s.createdat) filter (where s.name = 'Processing') - b.created_at)::numeric, 3),
                round(extract(epoch from (array_agg(s.createdat order by s.createdat) filter (where s.name = 'Processing'))[4] - b.created_at)::numeric, 3),
                round(extract(epoch from min(c.started_at) - b.created_at)::numeric, 3),
                round(extract(epoch from (select min(processed_at) from app.telemetry_matches where last_batch_id = b.id) - b.created_at)::numeric, 3))
            from app.batches b join app.chunks c on c.batch_id = b.id join hangfire.state s on s.jobid = c.hangfire_job_id::bigint
            where b.id = @id group by b.id, b.created_at
            """, batchId);
        Console.WriteLine($"- Start-up: {startUp}");
        // When the two cores can have been short of parse work: each match's parse ran from (its save's transaction start −
        // its parse time) to its save's transaction start; sampled every 5 ms from batch creation to batch final.
        var shortOfParses = await first.ScalarAsync<string>($"""
            with parses as (
                select m.processed_at - make_interval(secs => (i.result ->> 'parseMilliseconds')::float8 / 1000) as started, m.processed_at as ended
                from app.items i join app.telemetry_matches m on m.match_id = i.payload ->> 'matchId'
                where i.batch_id = @id),
            samples as (
                select t, (select count(*) from parses p where p.started <= t and p.ended > t) as running
                from app.batches b, generate_series(b.created_at, b.finished_at, interval '5 ms') t where b.id = @id),
            bounds as (select min(started) as first_start, max(ended) as last_end from parses),
            last_full as (select max(t) as t from samples where running >= {Environment.ProcessorCount})
            select format('fewer parses running than cores: %s ms in all; before the first parse %s ms, between the first and the last %s ms, from the last moment all cores had one to the last parse''s end %s ms, after it %s ms',
                5 * count(*) filter (where running < {Environment.ProcessorCount}),
                5 * count(*) filter (where t < first_start),
                5 * count(*) filter (where running < {Environment.ProcessorCount} and t >= first_start and t <= (select t from last_full)),
                5 * count(*) filter (where t > (select t from last_full) and t < last_end),
                5 * count(*) filter (where t >= last_end))
            from samples, bounds where @id = @id
            """, batchId);
        Console.WriteLine($"- Parse coverage (sampled every 5 ms): {shortOfParses}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- Timed window on CLOCK_MONOTONIC (for `perf report --time`): {windowFrom / (double)Stopwatch.Frequency:0.000000},{windowTo / (double)Stopwatch.Frequency:0.000000}; host pids {first.ProcessId}, {second.ProcessId}"));
        Console.WriteLine($"- The hosts during the upload and the timed batch (both, from their /metrics): {hostsDuring}");
        var inFlight = parses > 0 ? parses : Environment.ProcessorCount; // MaxConcurrentParses per host (default: one per processor)
        Console.WriteLine($"- Memory: host 1 {idleRss.First} → {first.PeakRssMb()} MB peak RSS, host 2 {idleRss.Second} → {second.PeakRssMb()} MB, "
            + $"{inFlight} matches in flight per host: **{Math.Max(first.PeakRssMb() - idleRss.First, second.PeakRssMb() - idleRss.Second) / (double)inFlight:0} MB per match in flight** (target ≤ 100 MB)");
        await using var sameWork = new SameWork(first);
        var sameWorkRate = await EngineFreeBoundAsync(first, sameWork, batchId, warmUp.Count, loopRate, loopCpu / matchCount, engineRate);
        var samples = new List<(double Loop, double Engine, double SameWork)> { (loopRate, engineRate, sameWorkRate) };
        var ok = state == "succeeded" && processed == matchCount;
        foreach (var set in moreSets)
        {
            var sample = await TimeSetAsync(first, second, sameWork, set, samples.Count + 1);
            ok &= sample.Ok;
            samples.Add((sample.Loop, sample.Engine, sample.SameWork));
        }
        if (samples.Count > 1)
        {
            static double Median(IEnumerable<double> values)
            {
                var sorted = values.Order().ToArray();
                return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- **Over the {samples.Count} sets: the engine did {Median(samples.Select(s => s.Engine / s.SameWork)):0.00}× the loop doing the same work (median; "
                + $"{string.Join(", ", samples.Select(s => $"{s.Engine / s.SameWork:0.00}×"))}; target ≥ 1.8×) and {Median(samples.Select(s => s.Engine / s.Loop)):0.00}× the parse-only loop** "
                + $"({string.Join(", ", samples.Select(s => $"{s.Engine / s.Loop:0.00}×"))})"));
        }
        Console.WriteLine($"- Load after: {Load()}");
        return ok ? 0 : 1;
    }

    /// <summary>
    /// The most any engine could do on this machine: the work each match needs whoever schedules it — read its stored
    /// parts from PostgreSQL, parse, save the players' rows — two at once per core in this process, no engine at all
    /// (no Hangfire job, chunk, item or status write). Run over the timed batch's matches again (their rows replaced),
    /// after a pass over the warm-up matches (this process's JIT).
    /// </summary>
    private static async Task<double> EngineFreeBoundAsync(BenchHost host, SameWork sameWork, long batchId, int warmUpCount, double loopRate, double loopCpuPerMatch, double engineRate)
    {
        var dataSource = sameWork.DataSource;
        var timed = await MatchIdsAsync(host, batchId);
        var warm = (await host.ScalarAsync<string>("select string_agg(match_id, ' ' order by match_id) from app.telemetry_matches where last_batch_id <> @id and file_bytes > 1000000", batchId))
            .Split(' ').Take(warmUpCount).ToArray();
        // Two matches per core at once, as the two hosts parse (one per core each): while one waits on PostgreSQL the other parses.
        var threads = 2 * Environment.ProcessorCount;
        async Task RunAsync(string[] ids) => await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = threads },
            async (id, token) => await sameWork.HandleAsync(id, batchId, token));
        await sameWork.WarmUpAsync(warm, batchId);
        await RunAsync(warm);

        var sequential = await sameWork.LoopAsync(timed, batchId);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- **Loop doing the same work** (the handler's work without the engine: mark processing, read the stored parts, parse, save; one match at a time, its waits on PostgreSQL included): "
            + $"{sequential.Describe(timed.Length)} ({sequential.Rate / loopRate:0.00}× the parse-only loop): **the engine did {engineRate / sequential.Rate:0.00}× this loop** (target ≥ 1.8×)"));

        var databaseBefore = await BackendTicksAsync(host);
        var cpu = Environment.CpuUsage.TotalTime;
        var windowFrom = Stopwatch.GetTimestamp();
        var clock = Stopwatch.StartNew();
        await RunAsync(timed);
        var seconds = clock.Elapsed.TotalSeconds;
        var windowTo = Stopwatch.GetTimestamp();
        var hostCpu = (Environment.CpuUsage.TotalTime - cpu).TotalSeconds;
        var databaseAfter = await BackendTicksAsync(host);
        var databaseCpu = CpuSeconds(databaseAfter, databaseBefore);
        var rate = timed.Length / seconds;
        var cpuPerMatch = (hostCpu + databaseCpu) / timed.Length;
        // Where the bound's CPU goes, one thread at a time: reading the stored parts alone, then parsing from them.
        async Task<double> CpuPerMatchAsync(Func<string, Task> work)
        {
            var before = Environment.CpuUsage.TotalTime;
            foreach (var id in timed)
            {
                await work(id);
            }
            return (Environment.CpuUsage.TotalTime - before).TotalMilliseconds / timed.Length;
        }
        var readOnly = await CpuPerMatchAsync(async id =>
        {
            await using var stream = await TelemetryFileStore.OpenAsync(dataSource, id, CancellationToken.None);
            await stream.CopyToAsync(Stream.Null);
        });
        var readAndParse = await CpuPerMatchAsync(async id =>
        {
            await using var stream = await TelemetryFileStore.OpenAsync(dataSource, id, CancellationToken.None);
            await TelemetryParser.ParseAsync(stream, CancellationToken.None);
        });
        var buffered = await CpuPerMatchAsync(async id =>
        {
            var memory = new MemoryStream();
            await using (var stream = await TelemetryFileStore.OpenAsync(dataSource, id, CancellationToken.None))
            {
                await stream.CopyToAsync(memory);
            }
            memory.Position = 0;
            await TelemetryParser.ParseAsync(memory, CancellationToken.None);
        });
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- One thread, this process's CPU per match: read the stored parts only {readOnly:0.0} ms; read and parse (streaming) {readAndParse:0.0} ms; read into memory, then parse {buffered:0.0} ms; the loop's parse from memory {loopCpuPerMatch * 1000:0.0} ms"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- Engine-free bound (read parts, parse, save; {threads} at once in the benchmark's process, no engine): {timed.Length} matches in {seconds:0.00} s: "
            + $"**{rate:0.00} matches/s = {rate / sequential.Rate:0.00}× the same-work loop** ({rate / loopRate:0.00}× the parse-only loop; the engine did {engineRate / rate:0.00} of this run); CPU per match {cpuPerMatch * 1000:0.0} ms (process {hostCpu / timed.Length * 1000:0.0} + PostgreSQL {databaseCpu / timed.Length * 1000:0.0} ms; "
            + $"the idle hosts' polling included): at most {Environment.ProcessorCount * loopCpuPerMatch / cpuPerMatch:0.00}× the parse-only loop on {Environment.ProcessorCount} idle cores; "
            + $"its window on CLOCK_MONOTONIC {windowFrom / (double)Stopwatch.Frequency:0.000000},{windowTo / (double)Stopwatch.Frequency:0.000000}"));
        return sequential.Rate;
    }

    /// <summary>
    /// One more set of other matches timed the same way, side by side within seconds: the parse-only loop over them (from
    /// memory), then the engine (uploaded as one batch), then the loop doing the same work over the same matches.
    /// </summary>
    private static async Task<(double Loop, double Engine, double SameWork, bool Ok)> TimeSetAsync(BenchHost first, BenchHost second, SameWork sameWork, IReadOnlyList<GeneratedMatch> files, int number)
    {
        var (loopSeconds, loopCpuSeconds, loopMachine) = await TimeParseOnlyAsync(files);
        var loopRate = files.Count / loopSeconds;
        var loopCpu = loopCpuSeconds * 1000 / files.Count;

        using var form = Form(files);
        var hosts = await HostsSample.TakeAsync(first, second); // before the upload: no scrape in the timed window
        var batchId = (await first.PostAsync("/api/telemetry/matches", form)).GetProperty("batchId").GetInt64();
        var window = await EngineWindow.TakeAsync(first, second);
        await first.WaitFinalAsync(batchId, TimeSpan.FromMinutes(30), FinalPollMs);
        var windowEnd = await EngineWindow.TakeAsync(first, second);
        var hostCpu = windowEnd.HostCpu - window.HostCpu;
        var hostsAfter = await HostsSample.TakeAsync(first, second);
        var databaseCpu = CpuSeconds(windowEnd.Database, window.Database) * 1000;
        var engineSeconds = await first.ScalarAsync<double>("select extract(epoch from finished_at - created_at)::float8 from app.batches where id = @id", batchId);
        var processed = await first.ScalarAsync<long>("select count(*) from app.telemetry_matches where status = 'processed' and last_batch_id = @id", batchId);
        var engineRate = files.Count / engineSeconds;

        var sequential = await sameWork.LoopAsync(await MatchIdsAsync(first, batchId), batchId);
        var shares = await SharesAsync(first, batchId);
        var perHost = windowEnd.PerHost(window, first, second, shares);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- Set {number} ({files.Count} other matches, {Load()}): parse-only loop {loopRate:0.00} matches/s (CPU {loopCpu:0.0} ms per match; machine: {loopMachine}); engine {engineRate:0.00} matches/s "
            + $"(CPU {(hostCpu.TotalMilliseconds + databaseCpu) / files.Count:0.0} ms per match, PostgreSQL included: hosts {hostCpu.TotalMilliseconds / files.Count:0.0} ms, PostgreSQL {ByType(windowEnd.Database, window.Database)}; during the upload and the batch {hostsAfter.Since(hosts, files.Count)}; {shares}; {perHost}; machine: {windowEnd.MachineSince(window, first, second)}); same-work loop {sequential.Describe(files.Count)}: "
            + $"**the engine did {engineRate / sequential.Rate:0.00}× the same-work loop, {engineRate / loopRate:0.00}× the parse-only loop**"));
        return (loopRate, engineRate, sequential.Rate, processed == files.Count);
    }

    /// <summary>
    /// The handler's own work for one match without the engine — mark it processing, read its stored parts, parse, save —
    /// in the benchmark's process: the old collector's sequential loop, doing what the engine's items do.
    /// </summary>
    private sealed class SameWork(BenchHost host) : IAsyncDisposable
    {
        public NpgsqlDataSource DataSource { get; } = NpgsqlDataSource.Create(host.ConnectionString);

        private TelemetryMatchStore Store => field ??= new TelemetryMatchStore(DataSource);

        public async Task HandleAsync(string id, long batchId, CancellationToken cancellationToken)
        {
            await Store.StartAsync(id, batchId, cancellationToken);
            MatchAggregate match;
            await using (var stream = await TelemetryFileStore.OpenAsync(DataSource, id, cancellationToken))
            {
                match = await TelemetryParser.ParseAsync(stream, cancellationToken);
            }
            await Store.SaveAsync(id, match, cancellationToken);
        }

        /// <summary>Runs the loop over <paramref name="ids"/> until this process's JIT is settled (its compiled-method count
        /// grows by fewer than 20 in a pass, at most 8 passes), so the timed loop runs at its steady state as the hosts do.</summary>
        public async Task WarmUpAsync(string[] ids, long batchId)
        {
            for (var pass = 0; pass < 8; pass++)
            {
                var methods = System.Runtime.JitInfo.GetCompiledMethodCount();
                await LoopAsync(ids, batchId);
                if (System.Runtime.JitInfo.GetCompiledMethodCount() - methods < 20)
                {
                    break;
                }
            }
        }

        public async Task<Timing> LoopAsync(string[] ids, long batchId)
        {
            var database = await BackendTicksAsync(host);
            var machine = MachineTicks.Now();
            var cpu = Environment.CpuUsage.TotalTime;
            var clock = Stopwatch.StartNew();
            foreach (var id in ids)
            {
                await HandleAsync(id, batchId, CancellationToken.None);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            var processCpu = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds;
            var databaseCpu = CpuSeconds(await BackendTicksAsync(host), database) * 1000;
            var machineShares = MachineTicks.Now().Since(machine);
            return new Timing(ids.Length / seconds, seconds, processCpu / ids.Length, databaseCpu / ids.Length, machineShares);
        }

        public ValueTask DisposeAsync() => DataSource.DisposeAsync();

        public sealed record Timing(double Rate, double Seconds, double ProcessCpuMs, double DatabaseCpuMs, string Machine)
        {
            /// <summary>The cores the loop kept busy, its process and PostgreSQL together: more than one, because PostgreSQL
            /// sends a match's next stored parts while the loop parses, and the loop's process runs threads besides the
            /// parsing one.</summary>
            public double Cores => (ProcessCpuMs + DatabaseCpuMs) * Rate / 1000;

            public string Describe(int matches) => string.Create(CultureInfo.InvariantCulture,
                $"{matches} matches in {Seconds:0.00} s, {Rate:0.00} matches/s, CPU per match {ProcessCpuMs + DatabaseCpuMs:0.0} ms (process {ProcessCpuMs:0.0} + PostgreSQL {DatabaseCpuMs:0.0} ms; machine: {Machine}), "
                + $"{Cores:0.00} cores busy: at the loop's CPU per match, {Environment.ProcessorCount} cores allow at most {Environment.ProcessorCount / Cores:0.00}× it");
        }
    }

    /// <summary>
    /// One end of an engine batch's window: both hosts' CPU, the machine's shares, every process's CPU and this database's
    /// backends. Two of them tell what the batch cost and who else used the cores meanwhile.
    /// </summary>
    private sealed record EngineWindow(TimeSpan FirstCpu, TimeSpan SecondCpu, MachineTicks Machine, Dictionary<int, (string Name, long Ticks)> Processes, Dictionary<int, (string Type, long Ticks)> Database, Dictionary<string, TimeSpan> HostThreads)
    {
        public TimeSpan HostCpu => FirstCpu + SecondCpu;

        public static async Task<EngineWindow> TakeAsync(BenchHost first, BenchHost second) =>
            new(first.CpuTime(), second.CpuTime(), MachineTicks.Now(), ProcessTicks(), await BackendTicksAsync(first), HostThreadsOf(first, second));

        /// <summary>Each host's CPU per match it processed since <paramref name="start"/> (its idle background included).</summary>
        public string PerHost(EngineWindow start, BenchHost first, BenchHost second, Shares shares)
        {
            string One(BenchHost host, TimeSpan cpu) =>
                shares.MatchesOf(host.ProcessId) is > 0 and var n
                    ? string.Create(CultureInfo.InvariantCulture, $"pid {host.ProcessId} {cpu.TotalMilliseconds / n:0.0} ms × {n}")
                    : string.Create(CultureInfo.InvariantCulture, $"pid {host.ProcessId} {cpu.TotalMilliseconds:0} ms, no match");
            return "host CPU per match it processed: " + One(first, FirstCpu - start.FirstCpu) + ", " + One(second, SecondCpu - start.SecondCpu);
        }

        /// <summary>The machine's shares, the CPU by process and the hosts' CPU by thread name since <paramref name="start"/>.</summary>
        public string MachineSince(EngineWindow start, BenchHost first, BenchHost second) =>
            Machine.Since(start.Machine) + "; CPU by process: " + CpuUsers(start.Processes, Processes, first, second)
            + "; the hosts' CPU by thread: " + string.Join(", ", HostThreads
                .Select(t => (t.Key, Seconds: (t.Value - start.HostThreads.GetValueOrDefault(t.Key)).TotalSeconds))
                .Where(t => t.Seconds > 0).OrderByDescending(t => t.Seconds)
                .Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Key} {t.Seconds:0.00} s")));

        private static Dictionary<string, TimeSpan> HostThreadsOf(BenchHost first, BenchHost second)
        {
            var both = first.ThreadCpuByName();
            foreach (var (name, cpu) in second.ThreadCpuByName())
            {
                both[name] = both.GetValueOrDefault(name) + cpu;
            }
            return both;
        }
    }

    /// <summary>The CPU seconds of <see cref="CpuSeconds"/> by backend type (client backends, autovacuum workers).</summary>
    private static string ByType(Dictionary<int, (string Type, long Ticks)> after, Dictionary<int, (string Type, long Ticks)> before) =>
        string.Join(", ", after.GroupBy(b => b.Value.Type).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {CpuSeconds(g.ToDictionary(), before):0.00} s")));

    /// <summary>What both hosts have spent so far on the JIT and the garbage collector (from their /metrics).</summary>
    private sealed record HostsSample(BenchHost.RuntimeCounters Both)
    {
        public static async Task<HostsSample> TakeAsync(BenchHost first, BenchHost second) =>
            new(await first.RuntimeAsync() + await second.RuntimeAsync());

        public string Since(HostsSample before, int matches)
        {
            var (now, then) = (Both, before.Both);
            return string.Create(CultureInfo.InvariantCulture,
                $"{now.JitMethods - then.JitMethods:0} methods JIT-compiled in {(now.JitSeconds - then.JitSeconds) * 1000 / matches:0.0} ms per match, "
                + $"GCs gen0/gen1/gen2 {now.Gen0 - then.Gen0}/{now.Gen1 - then.Gen1}/{now.Gen2 - then.Gen2} pausing {(now.GcPauseSeconds - then.GcPauseSeconds) * 1000:0} ms, "
                + $"{(now.Allocated - then.Allocated) / matches / 1024:N0} KB allocated per match, "
                + $"job fetches {now.Fetched - then.Fetched:0} that took a job and {now.FoundNothing - then.FoundNothing:0} that found nothing");
        }
    }

    /// <summary>The CPU seconds the backends of <paramref name="after"/> used since <paramref name="before"/> (backends new since count whole).</summary>
    private static double CpuSeconds(Dictionary<int, (string Type, long Ticks)> after, Dictionary<int, (string Type, long Ticks)> before) =>
        after.Sum(b => b.Value.Ticks - before.GetValueOrDefault(b.Key).Ticks) / 100.0;

    /// <summary>CPU ticks (1/100 s) and type of each PostgreSQL backend on the bench database (client backends,
    /// autovacuum workers), from /proc; a backend that starts and ends between two snapshots is not seen.</summary>
    private static async Task<Dictionary<int, (string Type, long Ticks)>> BackendTicksAsync(BenchHost host)
    {
        var text = await host.ScalarAsync<string>("""
            select coalesce(string_agg(pid || ':' || replace(backend_type, ' ', '_'), ' '), '')
            from pg_stat_activity where datname = current_database() and @id = @id
            """, 0);
        var backends = new Dictionary<int, (string, long)>();
        foreach (var entry in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var (pid, type) = (int.Parse(entry[..entry.IndexOf(':', StringComparison.Ordinal)], CultureInfo.InvariantCulture), entry[(entry.IndexOf(':', StringComparison.Ordinal) + 1)..]);
            try
            {
                backends[pid] = (type, BenchHost.ProcStatTicks(await File.ReadAllTextAsync($"/proc/{pid}/stat")));
            }
            catch (IOException)
            {
                // Gone between the query and the read: not counted.
            }
        }
        return backends;
    }

    /// <summary>How often the timed batches' state is polled: their time comes from the database's timestamps, not from
    /// the poll, so the poll only has to be cheap (it runs on the same two cores as the batch).</summary>
    private const int FinalPollMs = 250;

    /// <summary>Small matches per settling round of the warm-up.</summary>
    private const int SettleRoundMatches = 80;

    /// <summary>A warm-up round stops the settling when each host's JIT compiled fewer methods than this in it.</summary>
    private const int SettledJitMethods = 20;

    /// <summary>Uploads <paramref name="matches"/> as one batch, waits for it; returns the most methods either host compiled meanwhile.</summary>
    private static async Task<double> WarmUpRoundAsync(BenchHost first, BenchHost second, IReadOnlyList<GeneratedMatch> matches, List<string> log)
    {
        var before = (First: await first.JitAsync(), Second: await second.JitAsync());
        using var form = Form(matches);
        var cpu = first.CpuTime() + second.CpuTime();
        var batch = (await first.PostAsync("/api/telemetry/matches", form)).GetProperty("batchId").GetInt64();
        await first.WaitFinalAsync(batch, TimeSpan.FromMinutes(10));
        cpu = first.CpuTime() + second.CpuTime() - cpu;
        var after = (First: await first.JitAsync(), Second: await second.JitAsync());
        var shares = await SharesAsync(first, batch);
        log.Add(string.Create(CultureInfo.InvariantCulture, $"{matches.Count} matches of {matches.Average(m => m.JsonBytes) / 1e6:0.0} MB, {cpu.TotalMilliseconds / matches.Count:0} ms of host CPU each, upload included ({shares}; JIT {JitDelta(before.First, after.First)} / {JitDelta(before.Second, after.Second)})"));
        return Math.Max(after.First.Methods - before.First.Methods, after.Second.Methods - before.Second.Methods);
    }

    private static string JitDelta((double Methods, double Seconds) before, (double Methods, double Seconds) after) =>
        string.Create(CultureInfo.InvariantCulture, $"{after.Methods - before.Methods:0} methods in {after.Seconds - before.Seconds:0.00} s");

    /// <summary>The matches batch <paramref name="batchId"/> processed last.</summary>
    private static async Task<string[]> MatchIdsAsync(BenchHost host, long batchId) =>
        (await host.ScalarAsync<string>("select string_agg(match_id, ' ' order by match_id) from app.telemetry_matches where last_batch_id = @id", batchId)).Split(' ');

    /// <summary>Which process ran which chunk: the Processing state Hangfire recorded for each chunk's job.</summary>
    private static async Task<Shares> SharesAsync(BenchHost host, long batchId)
    {
        var rows = await host.ScalarAsync<string>("""
            select coalesce(string_agg(server || '|' || pid || '|' || chunks || '|' || matches, ';' order by server), '')
            from (
                select split_part(server_id, ':', 1) || ' pid ' || split_part(server_id, ':', 2) as server, split_part(server_id, ':', 2) as pid,
                    count(*) as chunks, sum(item_count) as matches
                from (
                    select distinct s.data ->> 'ServerId' as server_id, c.id, c.item_count
                    from app.chunks c
                    join hangfire.state s on s.jobid = c.hangfire_job_id::bigint and s.name = 'Processing'
                    where c.batch_id = @id
                ) chunk_runs
                group by 1, 2
            ) per_server
            """, batchId);
        return new Shares([.. rows.Split(';', StringSplitOptions.RemoveEmptyEntries).Select(row => row.Split('|'))
            .Select(f => new Share(f[0], int.Parse(f[1], CultureInfo.InvariantCulture), long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture)))]);
    }

    /// <summary>A batch's chunks and matches by the Hangfire server (and so the host process) that ran them.</summary>
    private sealed record Shares(IReadOnlyList<Share> Servers)
    {
        public long MatchesOf(int pid) => Servers.Where(s => s.Pid == pid).Sum(s => s.Matches);

        public override string ToString() => string.Join(", ", Servers.Select(s => $"{s.Server}: {s.Chunks} chunks"));
    }

    private sealed record Share(string Server, int Pid, long Chunks, long Matches);

    private static MultipartFormDataContent Form(IReadOnlyList<GeneratedMatch> files)
    {
        var form = new MultipartFormDataContent();
        for (var i = 0; i < files.Count; i++)
        {
            var part = new ByteArrayContent(files[i].Gzip);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/gzip");
            form.Add(part, "file", $"match-{i:D4}.json.gz");
        }
        return form;
    }

    /// <summary>The parse-only loop over <paramref name="files"/>, timed: its wall seconds and this process's CPU seconds.</summary>
    private static async Task<(double Seconds, double CpuSeconds, string Machine)> TimeParseOnlyAsync(IEnumerable<GeneratedMatch> files)
    {
        var machine = MachineTicks.Now();
        var cpu = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        await ParseAllAsync(files);
        return (clock.Elapsed.TotalSeconds, (Environment.CpuUsage.TotalTime - cpu).TotalSeconds, MachineTicks.Now().Since(machine));
    }

    private static async Task ParseAllAsync(IEnumerable<GeneratedMatch> files)
    {
        foreach (var file in files)
        {
            await using var stream = new MemoryStream(file.Gzip, writable: false);
            var match = await TelemetryParser.ParseAsync(stream, CancellationToken.None);
            if (match.Summary.Events != file.Events)
            {
                throw new InvalidOperationException($"Parsed {match.Summary.Events} events, generated {file.Events}.");
            }
        }
    }

    private sealed record GeneratedMatch(byte[] Gzip, long Events, long JsonBytes);

    /// <summary>The deterministic matches, generated once into <paramref name="folder"/> and reused by later runs.</summary>
    private static async Task<IReadOnlyList<GeneratedMatch>> GenerateAsync(int firstSeed, int count, string folder, int players = 100)
    {
        Directory.CreateDirectory(folder);
        var clock = Stopwatch.StartNew();
        var matches = new GeneratedMatch[count];
        await Parallel.ForAsync(0, count, async (i, cancellationToken) =>
        {
            var seed = firstSeed + i;
            var path = Path.Combine(folder, players == 100 ? $"match-{seed:D4}.json.gz" : $"match-{seed:D4}-{players}p.json.gz");
            var meta = path + ".txt";
            if (File.Exists(path) && File.Exists(meta))
            {
                var numbers = (await File.ReadAllTextAsync(meta, cancellationToken)).Split(' ');
                matches[i] = new GeneratedMatch(await File.ReadAllBytesAsync(path, cancellationToken), long.Parse(numbers[0], CultureInfo.InvariantCulture), long.Parse(numbers[1], CultureInfo.InvariantCulture));
                return;
            }
            using var output = new MemoryStream();
            var (events, bytes) = MatchGenerator.WriteGzip(output, seed, players);
            var gzip = output.ToArray();
            await File.WriteAllBytesAsync(path, gzip, cancellationToken);
            await File.WriteAllTextAsync(meta, string.Create(CultureInfo.InvariantCulture, $"{events} {bytes}"), cancellationToken);
            matches[i] = new GeneratedMatch(gzip, events, bytes);
        });
        Console.WriteLine($"- {count} matches of {players} players (seeds {firstSeed}–{firstSeed + count - 1}) ready in {clock.Elapsed.TotalSeconds:0.0} s ({folder})");
        return matches;
    }

    /// <summary>
    /// The machine's CPU time from /proc/stat (ticks of 10 ms, all cores): busy, idle and stolen by the hypervisor (time a
    /// core wanted to run and the VM's host ran another guest instead). A timed window's shares tell a slow sample's cause:
    /// idle cores are the engine's (or the loop's) to use, stolen time nobody's.
    /// </summary>
    private readonly record struct MachineTicks(long Busy, long Idle, long Stolen)
    {
        public static MachineTicks Now()
        {
            if (!File.Exists("/proc/stat"))
            {
                return default;
            }
            // cpu user nice system idle iowait irq softirq steal ...
            var f = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            return new MachineTicks(f[0] + f[1] + f[2] + f[5] + f[6], f[3] + f[4], f[7]);
        }

        public string Since(MachineTicks before)
        {
            var (busy, idle, stolen) = (Busy - before.Busy, Idle - before.Idle, Stolen - before.Stolen);
            var total = Math.Max(1, busy + idle + stolen);
            return string.Create(CultureInfo.InvariantCulture, $"cores busy {100.0 * busy / total:0}%, idle {100.0 * idle / total:0}%, stolen {100.0 * stolen / total:0}%");
        }
    }

    /// <summary>CPU ticks (1/100 s, user + system) of every process on the machine, from /proc: who used the cores in a window.</summary>
    private static Dictionary<int, (string Name, long Ticks)> ProcessTicks()
    {
        var ticks = new Dictionary<int, (string, long)>();
        foreach (var folder in Directory.Exists("/proc") ? Directory.EnumerateDirectories("/proc") : [])
        {
            if (!int.TryParse(Path.GetFileName(folder), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            try
            {
                var stat = File.ReadAllText(Path.Combine(folder, "stat"));
                ticks[pid] = (stat[(stat.IndexOf('(') + 1)..stat.LastIndexOf(')')], BenchHost.ProcStatTicks(stat));
            }
            catch (IOException)
            {
                // Gone meanwhile.
            }
        }
        return ticks;
    }

    /// <summary>The CPU seconds each kind of process used between two <see cref="ProcessTicks"/>: the hosts, this benchmark,
    /// PostgreSQL (all its processes), kernel workers, and the other processes by name; the six largest. Processes that ended
    /// in the window are missed.</summary>
    private static string CpuUsers(Dictionary<int, (string Name, long Ticks)> before, Dictionary<int, (string Name, long Ticks)> after, BenchHost first, BenchHost second)
    {
        var used = after.Select(p => (Who: p.Key == first.ProcessId || p.Key == second.ProcessId ? "hosts" : p.Key == Environment.ProcessId ? "benchmark" : p.Value.Name.StartsWith("kworker", StringComparison.Ordinal) ? "kworker" : p.Value.Name,
            Ticks: p.Value.Ticks - (before.TryGetValue(p.Key, out var b) ? b.Ticks : 0)))
            .GroupBy(p => p.Who).Select(g => (g.Key, Seconds: g.Sum(p => p.Ticks) / 100.0)).Where(g => g.Seconds > 0).OrderByDescending(g => g.Seconds).ToList();
        return string.Join(", ", used.Take(6).Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Key} {g.Seconds:0.00} s")));
    }

    private static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) + " (1/5/15-min load average)" : "unknown";
}
