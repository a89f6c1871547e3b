using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--packages</c>: N packages against M synthetic OSV advisories (5 ecosystems, about ten advisories per
/// affected package name, realistic record sizes). The advisories are imported as one zip (time and the host's
/// peak RSS while importing); then the packages are registered, which starts their scan at once, and the run ends
/// when every package is scanned and every packages batch is final (peak RSS while scanning). The baseline is the
/// old way, in the same run: the same packages scanned one at a time in one loop with the per-package scanner
/// code (one advisory query, OSV parse and match per package; per-package writes), against the same database;
/// both must find the same findings. Last, a fresh host imports a zip of about <c>--import-mb</c> MB (peak RSS).
/// </summary>
internal static class PackagesBench
{
    private static readonly string[] Ecosystems = ["npm", "PyPI", "crates.io", "NuGet", "Go"];

    private static readonly JsonSerializerOptions RecordJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static async Task<int> RunAsync(string server, int packageCount, int advisoryCount, int importMb, int warmup, bool loops, Dictionary<string, string> engineSettings)
    {
        Console.WriteLine($"## Packages benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores, load {Load()}");
        var random = new Random(42);
        var names = Enumerable.Range(0, advisoryCount / 10).Select(i => (Ecosystem: Ecosystems[i % Ecosystems.Length], Name: Name(Ecosystems[i % Ecosystems.Length], i))).ToArray();
        var settings = new Dictionary<string, string>
        {
            ["WorkerTypes:bench:Enabled"] = "false",
            ["WorkerTypes:packages:PendingSweepCron"] = "0 0 1 1 *", // only registration starts the scan
        };
        foreach (var (key, value) in engineSettings)
        {
            settings[key] = value;
        }
        Console.WriteLine($"- Settings: {string.Join(", ", settings.Where(s => s.Key.StartsWith("WorkerTypes:packages", StringComparison.Ordinal)).Select(s => $"{s.Key["WorkerTypes:packages:".Length..]}={s.Value}"))}");
        int status;
        await using (var host = await BenchHost.StartAsync(server, settings))
        {
            var zip = AdvisoryZip(random, names, advisoryCount);
            host.ResetPeakRss();
            var started = Stopwatch.StartNew();
            using (var content = new ByteArrayContent(zip))
            {
                content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
                var counts = await host.PostAsync("/api/advisories/import", content);
                Console.WriteLine($"- Import: {advisoryCount:N0} OSV records ({zip.Length / 1024 / 1024} MB zip) in {started.Elapsed.TotalSeconds:0.0} s, "
                    + $"**peak RSS {host.PeakRssMb()} MB**: {counts}");
            }

            var afterImportCpu = host.CpuTime();

            // 80 % of the packages have advisories for their name, 20 % have none (as in a real SBOM).
            var packages = Enumerable.Range(0, packageCount).Select(i =>
            {
                var (ecosystem, name) = i % 5 == 4 ? (Ecosystems[i % Ecosystems.Length], $"clean-{i}") : names[random.Next(names.Length)];
                return new { ecosystem, name, version = Version(random, ecosystem) };
            }).ToArray();

            if (warmup > 0)
            {
                await WarmUpAsync(host, warmup, packageCount, loops);
            }
            var firstBatch = await host.ScalarAsync<long>("select coalesce(max(id), 0) + 1 from app.batches where @id = @id", 0);

            // Engine: registering starts the scan at once; the run ends when every package is scanned and every batch is final.
            // The host's own CPU when idle (Hangfire polling, heartbeats, metrics), to read the run's CPU against.
            await host.UntilJitIdleAsync(); // the JIT's background recompilation after the warm-up ends first
            await UntilHostQuietAsync(host); // and the advisory cache's warming after the import (up to 50,000 compiles)
            var idleCpu = host.CpuTime();
            await Task.Delay(2_000); // the measurement's window, not a wait
            Console.WriteLine($"- Host idle: {(host.CpuTime() - idleCpu).TotalMilliseconds / 2:0} ms CPU per second; "
                + $"host CPU from the import's answer to here (the advisory cache's warming after the import, the warm-up, idle): {(host.CpuTime() - afterImportCpu).TotalSeconds:0.00} s");
            host.ResetPeakRss();
            var jit = await host.JitAsync();
            var cpu = host.CpuTime();
            var databaseCpu = await host.DatabaseCpuTicksAsync();
            started.Restart();
            using (var content = JsonContent.Create(packages))
            {
                var registered = await host.PostAsync("/api/packages", content);
                Console.WriteLine($"- Registered {registered.GetProperty("inserted").GetInt32():N0} packages ({registered.GetProperty("merged").GetInt32()} duplicates merged) in {started.Elapsed.TotalSeconds:0.00} s");
            }
            // As in the earlier runs, the engine's time starts when the sweep does (here: the registration's answer,
            // which has enqueued it) and the registration itself is reported apart.
            var registerSeconds = started.Elapsed.TotalSeconds;
            started.Restart();
            var total = await host.ScalarAsync<long>("select count(*) from app.packages where @id = @id", 0);
            // Polled every 20 ms on the same two cores: an existence probe on the status index, not a count of every
            // package (which cost the run about 1.5 ms of PostgreSQL CPU a poll, up to 4 % of a core).
            await BenchHost.UntilAsync(async () => !await host.ScalarAsync<bool>("select exists (select 1 from app.packages where status in ('pending', 'queued', 'scanning') and @id = @id)", 0),
                TimeSpan.FromMinutes(30), "every package to be scanned");
            var scannedSeconds = started.Elapsed.TotalSeconds;
            await BenchHost.UntilAsync(async () => await host.ScalarAsync<long>("select count(*) from app.batches where worker_type = 'packages' and state in ('created', 'running') and id >= @id", firstBatch) == 0,
                TimeSpan.FromMinutes(30), "every packages batch to be final");
            var engineSeconds = started.Elapsed.TotalSeconds;
            var engineCpu = (host.CpuTime() - cpu).TotalSeconds;
            var engineDatabaseCpu = BenchHost.DatabaseCpuSeconds(databaseCpu, await host.DatabaseCpuTicksAsync());
            var scanRss = host.PeakRssMb();
            var jitAfter = await host.JitAsync();
            // Where the time went: each batch's creation (by the sweep), its chunk's start and end, and its final state,
            // in ms after the first batch was created.
            Console.WriteLine("  Timeline (ms after the first batch): " + await host.ScalarAsync<string>("""
                with t0 as (select min(created_at) t from app.batches where id >= @id and worker_type = 'packages')
                select string_agg(format('#%s %s items: created +%s, chunk +%s..+%s, final +%s', b.id, b.total_items,
                           round(extract(epoch from b.created_at - t0.t) * 1000), round(extract(epoch from c.started_at - t0.t) * 1000),
                           round(extract(epoch from c.finished_at - t0.t) * 1000), round(extract(epoch from b.finished_at - t0.t) * 1000)), '; ' order by b.id)
                from app.batches b join app.chunks c on c.batch_id = b.id, t0
                where b.id >= @id and b.worker_type = 'packages'
                """, firstBatch));
            var engineFindings = await host.ScalarAsync<long>("select count(*) from app.findings where @id = @id", 0);
            var failed = await host.ScalarAsync<long>("select count(*) from app.packages where status = 'failed' and @id = @id", 0);
            var batches = await host.ScalarAsync<long>("select count(*) from app.batches where worker_type = 'packages' and id >= @id", firstBatch);
            var engineRate = total / engineSeconds;
            Console.WriteLine($"- Engine: {total:N0} packages, from the sweep: all scanned in {scannedSeconds:0.00} s, all {batches} batch(es) final in {engineSeconds:0.00} s: "
                + $"**{engineRate:N0} packages/s** ({total / (registerSeconds + engineSeconds):N0}/s counting the registration); {engineFindings:N0} findings, {failed} failed; "
                + $"CPU: host {engineCpu:0.00} s, PostgreSQL {engineDatabaseCpu:0.00} s ({(engineCpu + engineDatabaseCpu) * 1000 / total:0.000} ms per package); **peak RSS while scanning {scanRss} MB**; "
                + string.Create(CultureInfo.InvariantCulture, $"JIT meanwhile: {jitAfter.Methods - jit.Methods:0} methods in {jitAfter.Seconds - jit.Seconds:0.00} s"));
            if (!loops)
            {
                return engineFindings == 44_353 || packageCount != 10_000 || advisoryCount != 50_000 ? 0 : 1;
            }

            // Baseline, the old way: one package at a time, in one loop, the per-package scanner and writes, same database.
            await using var dataSource = NpgsqlDataSource.Create(host.ConnectionString);
            var ids = await PackageIdsAsync(dataSource);
            databaseCpu = await host.DatabaseCpuTicksAsync();
            var loopCpu = Process.GetCurrentProcess().TotalProcessorTime;
            started.Restart();
            await ScanOneAtATimeAsync(dataSource, ids);
            var baselineSeconds = started.Elapsed.TotalSeconds;
            var baselineCpu = (Process.GetCurrentProcess().TotalProcessorTime - loopCpu).TotalSeconds;
            var baselineDatabaseCpu = BenchHost.DatabaseCpuSeconds(databaseCpu, await host.DatabaseCpuTicksAsync());
            var baselineRate = ids.Count / baselineSeconds;
            var baselineFindings = await host.ScalarAsync<long>("select count(*) from app.findings where @id = @id", 0);
            Console.WriteLine($"- Baseline (sequential loop, per-package scanner): {ids.Count:N0} packages in {baselineSeconds:0.0} s: **{baselineRate:N0} packages/s**; {baselineFindings:N0} findings (engine: {engineFindings:N0}); "
                + $"CPU: loop process {baselineCpu:0.00} s, PostgreSQL {baselineDatabaseCpu:0.00} s ({(baselineCpu + baselineDatabaseCpu) * 1000 / ids.Count:0.000} ms per package)");
            Console.WriteLine($"- Engine / baseline: **{engineRate / baselineRate:0.0}×**");

            // What the new scanning code does alone: the slice scanner in one loop, no engine (a fresh cache, then warm).
            var sliceScanner = new PackageSliceScanner(dataSource, new AdvisoryCache(Options.Create(new PackagesOptions())));
            var sliceFindings = 0L;
            foreach (var pass in new[] { "cold cache", "warm cache" })
            {
                started.Restart();
                foreach (var slice in ids.Chunk(250))
                {
                    var outcomes = await sliceScanner.ScanAsync(0, slice, CancellationToken.None);
                    if (outcomes.Any(outcome => outcome.Error is not null))
                    {
                        throw new InvalidOperationException($"Slice scan failed: {outcomes.First(outcome => outcome.Error is not null).Error}");
                    }
                }
                sliceFindings = await host.ScalarAsync<long>("select count(*) from app.findings where @id = @id", 0);
                Console.WriteLine($"- Slice scanner alone (one loop of slices of 250, {pass}): {ids.Count / started.Elapsed.TotalSeconds:N0} packages/s; {sliceFindings:N0} findings");
            }
            status = engineFindings == baselineFindings && sliceFindings == baselineFindings && failed == 0 ? 0 : 1;
        }
        if (importMb > 0)
        {
            status |= await LargeImportAsync(server, random, names, importMb);
        }
        Console.WriteLine($"- Load after the run: {Load()}");
        return status;
    }

    /// <summary>A warm-up round ends the settling when the host's JIT compiled fewer methods than this in it.</summary>
    private const int SettledJitMethods = 20;

    /// <summary>
    /// Fewest warm-up rounds. A round of 500 packages is one batch, one chunk, two slices; the runtime compiles a
    /// method twice more after its first compilation (with profile-guided optimization on, the default: instrumented
    /// after 30 calls, optimized after 30 more), so the code that runs once per batch or chunk (the sweep's submit,
    /// Hangfire's job, the engine's chunk run, the final handler) needs about 60 rounds before it is at its steady state;
    /// with fewer, its recompilation falls into the measured run (4 batches, 10 chunks: 300–500 methods and about
    /// 0.4 s of the host's CPU with 33 rounds), and a round that compiles nothing new says nothing about it.
    /// </summary>
    private const int MinWarmUpRounds = 64;

    /// <summary>Most warm-up rounds (a round is about a fifth of a second on a quiet machine).</summary>
    private const int MaxWarmUpRounds = 100;

    /// <summary>
    /// Brings the host's scanning code to its steady state before the measured run, on packages and advisories of
    /// their own (removed afterwards; the advisory cache stays cold for the measured packages): a service that has been
    /// up for a while is in this state. Rounds of <paramref name="packages"/> packages (registered, scanned, deleted)
    /// (at least <see cref="MinWarmUpRounds"/>) until a round leaves the JIT almost idle: the per-slice and per-chunk
    /// code (the scanner's statements, the engine's chunk and slice path, Hangfire, Npgsql) runs once or twice per
    /// round, and each of its methods is compiled twice more (instrumented, then optimized) after 30 calls; with one
    /// round only (as before session 5) that recompilation ran inside the measured window (perf: the tiered
    /// compilation thread at about a quarter of the host's CPU during the scan; 400–1,300 methods in the window).
    /// The baseline loop's code is brought to its steady state too, on the last round's packages, so both sides are
    /// measured warm.
    /// </summary>
    private static async Task WarmUpAsync(BenchHost host, int packages, int fullRound, bool loop)
    {
        var random = new Random(7);
        var names = Enumerable.Range(0, Math.Max(1, packages / 5)).Select(i => (Ecosystem: Ecosystems[i % Ecosystems.Length], Name: $"warm-up-{i}")).ToArray();
        using (var zip = new ByteArrayContent(AdvisoryZip(random, names, names.Length * 5)))
        {
            zip.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            await host.PostAsync("/api/advisories/import", zip);
        }
        var list = Enumerable.Range(0, packages).Select(i => new { ecosystem = names[i % names.Length].Ecosystem, name = names[i % names.Length].Name, version = Version(random, names[i % names.Length].Ecosystem) }).ToArray();
        var started = Stopwatch.StartNew();
        var rounds = new List<string>();
        for (var round = 1; ; round++)
        {
            var compiled = await WarmUpRoundAsync(host, list, rounds);
            if ((round >= MinWarmUpRounds && compiled < SettledJitMethods) || round == MaxWarmUpRounds)
            {
                if (loop)
                {
                    await WarmUpLoopAsync(host);
                }
                await host.ScalarAsync<long>("with p as (delete from app.packages returning 1) select count(*) + @id from p", 0);
                break;
            }
            await host.ScalarAsync<long>("with p as (delete from app.packages returning 1) select count(*) + @id from p", 0);
        }
        // Last, one round as large as the measured run: the code that runs once per package over the whole
        // registration (validation, the insert, the sweep's claim and submit) at that size, and as many chunks at once
        // as the measured run has, each with its connections (a pool grown to its working size, as in a service that
        // has been scanning for a while; each new connection is a new PostgreSQL backend with cold caches).
        var full = Enumerable.Range(0, fullRound).Select(i => new { ecosystem = names[i % names.Length].Ecosystem, name = names[i % names.Length].Name, version = $"{i / names.Length}.{random.Next(0, 20)}.{random.Next(0, 30)}" }).ToArray();
        await WarmUpRoundAsync(host, full, rounds);
        await host.ScalarAsync<long>("with p as (delete from app.packages returning 1) select count(*) + @id from p", 0);
        Console.WriteLine($"- Warm-up, not timed: {rounds.Count} round(s) of {packages} other packages against {names.Length * 5} other advisories, "
            + $"at least {MinWarmUpRounds} and until a round's JIT compiled fewer than {SettledJitMethods} methods, in {started.Elapsed.TotalSeconds:0.0} s (scan time/methods compiled per round: {string.Join(", ", rounds)})"
            + (loop ? "; the baseline loop's code run over the last small round's packages" : "") + $"; the last round {fullRound:N0} packages; then removed");
        await host.ScalarAsync<long>("with a as (delete from app.advisories where id like 'GHSA-%' and id in (select advisory_id from app.advisory_packages where name_key like 'warm-up-%') returning 1) select count(*) + @id from a", 0);
        // The warm-up's rows are deleted, and their dead versions would sit in the tables and indexes the measured run
        // writes (its findings inserts, its deletes of old findings) until autovacuum came by, which in a service that has
        // been up for a while it has: vacuumed here, the tables the warm-up churned (not the measured run's advisories).
        await using (var connection = new NpgsqlConnection(host.ConnectionString))
        {
            await connection.OpenAsync();
            await using var vacuum = new NpgsqlCommand("vacuum app.packages, app.findings, app.items, app.chunks, app.batches", connection);
            await vacuum.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Registers <paramref name="packages"/>, waits until they are scanned and their batches final; returns the methods the JIT compiled meanwhile.</summary>
    private static async Task<double> WarmUpRoundAsync(BenchHost host, object[] packages, List<string> log)
    {
        var jit = await host.JitAsync();
        var clock = Stopwatch.StartNew();
        using (var content = JsonContent.Create(packages))
        {
            await host.PostAsync("/api/packages", content);
        }
        await BenchHost.UntilAsync(async () => await host.ScalarAsync<long>("select count(*) from app.packages where status not in ('scanned', 'failed') and @id = @id", 0) == 0
            && await host.ScalarAsync<long>("select count(*) from app.batches where worker_type = 'packages' and state in ('created', 'running') and @id = @id", 0) == 0,
            TimeSpan.FromMinutes(10), "the warm-up's packages to be scanned", pollMs: 20);
        var seconds = clock.Elapsed.TotalSeconds;
        var compiled = (await host.JitAsync()).Methods - jit.Methods;
        log.Add(string.Create(CultureInfo.InvariantCulture, $"{seconds:0.00} s/{compiled:0}"));
        return compiled;
    }

    /// <summary>Until the host uses less than a tenth of a core over half a second (its background work is done).</summary>
    private static async Task UntilHostQuietAsync(BenchHost host)
    {
        TimeSpan? last = null; // the first poll only reads where the host's CPU time is
        await BenchHost.UntilAsync(() =>
        {
            var now = host.CpuTime();
            var quiet = last is { } before && (now - before).TotalMilliseconds < 50;
            last = now;
            return Task.FromResult(quiet);
        }, TimeSpan.FromSeconds(120), "the host to be quiet", pollMs: 500);
    }

    /// <summary>The baseline loop's per-package code over the packages there are now (the warm-up's), as the measured loop runs it.</summary>
    private static async Task WarmUpLoopAsync(BenchHost host)
    {
        await using var dataSource = NpgsqlDataSource.Create(host.ConnectionString);
        await ScanOneAtATimeAsync(dataSource, await PackageIdsAsync(dataSource));
    }

    private static async Task<List<long>> PackageIdsAsync(NpgsqlDataSource dataSource)
    {
        var ids = new List<long>();
        await using var command = dataSource.CreateCommand("select id from app.packages order by id");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>The baseline, the old way: one package at a time with the per-package scanner and its writes.</summary>
    private static async Task ScanOneAtATimeAsync(NpgsqlDataSource dataSource, List<long> ids)
    {
        var store = new PackageScanStore(dataSource);
        var scanner = new LocalScanner(dataSource, new OsvAdvisoryMatcher());
        foreach (var id in ids)
        {
            var target = (await store.StartAsync(id, 0, CancellationToken.None))!;
            var findings = await scanner.ScanAsync(target, CancellationToken.None);
            await store.ReplaceFindingsAsync(id, findings, CancellationToken.None);
        }
    }

    /// <summary>A zip of about <paramref name="megabytes"/> MB, written to a file and streamed to a fresh host: its peak RSS.</summary>
    private static async Task<int> LargeImportAsync(string server, Random random, (string Ecosystem, string Name)[] names, int megabytes)
    {
        var path = Path.Combine(Path.GetTempPath(), $"osv-bench-{Guid.NewGuid():N}.zip");
        try
        {
            int records;
            await using (var file = File.Create(path))
            {
                records = WriteAdvisoryZip(file, random, names, int.MaxValue, (long)megabytes * 1024 * 1024);
            }
            var length = new FileInfo(path).Length;
            await using var host = await BenchHost.StartAsync(server, new() { ["WorkerTypes:bench:Enabled"] = "false", ["WorkerTypes:packages:PendingSweepCron"] = "0 0 1 1 *" });
            var idleRss = host.PeakRssMb();
            host.ResetPeakRss();
            var started = Stopwatch.StartNew();
            await using var stream = File.OpenRead(path);
            using var content = new StreamContent(stream);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            var counts = await host.PostAsync("/api/advisories/import", content);
            Console.WriteLine($"- Large import: {records:N0} OSV records ({length / 1024 / 1024} MB zip) streamed in {started.Elapsed.TotalSeconds:0.0} s "
                + $"({records / started.Elapsed.TotalSeconds:N0} records/s): **host peak RSS {host.PeakRssMb()} MB** (idle before: {idleRss} MB); {counts}");
            return counts.GetProperty("records").GetInt32() == records ? 0 : 1;
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Load() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";

    private static string Name(string ecosystem, int i) => ecosystem switch
    {
        "Go" => $"github.com/org{i % 97}/module-{i}",
        "NuGet" => $"Contoso.Library{i}",
        "PyPI" => $"py_package.{i}",
        "npm" => i % 3 == 0 ? $"@scope{i % 11}/pkg-{i}" : $"pkg-{i}",
        _ => $"crate_{i}",
    };

    private static string Version(Random random, string ecosystem)
    {
        var version = $"{random.Next(0, 5)}.{random.Next(0, 20)}.{random.Next(0, 30)}";
        return ecosystem == "PyPI" && random.Next(10) == 0 ? version + "rc1" : version;
    }

    private static Dictionary<string, object> Affected(Random random, string ecosystem, string name, string introduced, string fixedIn)
    {
        var affected = new Dictionary<string, object>
        {
            ["package"] = new { ecosystem, name },
            ["ranges"] = new[] { new { type = ecosystem is "crates.io" or "Go" ? "SEMVER" : "ECOSYSTEM", events = new object[] { new { introduced }, new { @fixed = fixedIn } } } },
        };
        if (random.Next(4) == 0)
        {
            affected["versions"] = new[] { introduced, $"{introduced[..^1]}1" };
        }
        return affected;
    }

    private static byte[] AdvisoryZip(Random random, (string Ecosystem, string Name)[] names, int count)
    {
        using var buffer = new MemoryStream();
        WriteAdvisoryZip(buffer, random, names, count, long.MaxValue);
        return buffer.ToArray();
    }

    /// <summary>Writes <paramref name="count"/> records, or as many as fit in <paramref name="maxBytes"/>; returns how many.</summary>
    private static int WriteAdvisoryZip(Stream output, Random random, (string Ecosystem, string Name)[] names, int count, long maxBytes)
    {
        var written = 0;
        using (var archive = new ZipArchive(output, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count && output.Position < maxBytes; i++, written++)
            {
                var (ecosystem, name) = names[i % names.Length];
                var introduced = $"{random.Next(0, 3)}.{random.Next(0, 10)}.0";
                var fixedIn = $"{random.Next(3, 5)}.{random.Next(0, 20)}.{random.Next(0, 30)}";
                var id = $"GHSA-{i:x4}-{random.Next(0x1000, 0xffff):x4}-{random.Next(0x1000, 0xffff):x4}";
                var record = new Dictionary<string, object?>
                {
                    ["schema_version"] = "1.6.0",
                    ["id"] = id,
                    ["modified"] = DateTime.UtcNow.AddDays(-random.Next(0, 900)).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                    ["published"] = "2022-01-01T00:00:00Z",
                    ["aliases"] = new[] { $"CVE-2023-{10000 + i}" },
                    ["summary"] = $"Synthetic vulnerability {i} in {name}",
                    ["details"] = new StringBuilder().Insert(0, "Improper input validation allows a remote attacker to cause a denial of service. ", 4).ToString(),
                    ["severity"] = new[] { new { type = "CVSS_V3", score = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H" } },
                    ["affected"] = new[] { Affected(random, ecosystem, name, introduced, fixedIn) },
                    ["references"] = new[] { new { type = "ADVISORY", url = $"https://example.org/advisories/{id}" } },
                    ["database_specific"] = new { severity = random.Next(4) switch { 0 => "LOW", 1 => "MODERATE", 2 => "HIGH", _ => "CRITICAL" } },
                };
                using var writer = new StreamWriter(archive.CreateEntry($"{ecosystem}/{id}.json", CompressionLevel.Fastest).Open());
                writer.Write(JsonSerializer.Serialize(record, RecordJson));
            }
        }
        return written;
    }
}
