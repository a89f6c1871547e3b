using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Scanning;
using Npgsql;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--packages</c>: N packages against M synthetic OSV advisories (5 ecosystems, about ten advisories per
/// affected package name, realistic record sizes). The engine run (the pending-packages sweep → one batch →
/// chunks in parallel on the host process) is measured against the old way in the same run: the same
/// packages scanned one at a time in one loop, with the same scanner code, against the same database.
/// </summary>
internal static class PackagesBench
{
    private static readonly string[] Ecosystems = ["npm", "PyPI", "crates.io", "NuGet", "Go"];

    private static readonly JsonSerializerOptions RecordJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    public static async Task<int> RunAsync(string server, int packageCount, int advisoryCount)
    {
        Console.WriteLine($"## Packages benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        var random = new Random(42);
        var names = Enumerable.Range(0, advisoryCount / 10).Select(i => (Ecosystem: Ecosystems[i % Ecosystems.Length], Name: Name(Ecosystems[i % Ecosystems.Length], i))).ToArray();
        await using var host = await BenchHost.StartAsync(server, new()
        {
            ["WorkerTypes:bench:Enabled"] = "false",
            ["WorkerTypes:packages:ChunkSize"] = "250",
            ["WorkerTypes:packages:MaxDegreeOfParallelism"] = "8",
            ["WorkerTypes:packages:MaxPackagesPerCycle"] = packageCount.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:packages:PendingSweepCron"] = "0 0 1 1 *",
        });

        var zip = AdvisoryZip(random, names, advisoryCount);
        var started = Stopwatch.StartNew();
        using (var content = new ByteArrayContent(zip))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
            var counts = await host.PostAsync("/api/advisories/import", content);
            Console.WriteLine($"- Import: {advisoryCount:N0} OSV records ({zip.Length / 1024 / 1024} MB zip) in {started.Elapsed.TotalSeconds:0.0} s: {counts}");
        }

        // 80 % of the packages have advisories for their name, 20 % have none (as in a real SBOM).
        var packages = Enumerable.Range(0, packageCount).Select(i =>
        {
            var (ecosystem, name) = i % 5 == 4 ? (Ecosystems[i % Ecosystems.Length], $"clean-{i}") : names[random.Next(names.Length)];
            return new { ecosystem, name, version = Version(random, ecosystem) };
        }).ToArray();
        using (var content = JsonContent.Create(packages))
        {
            var registered = await host.PostAsync("/api/packages", content);
            Console.WriteLine($"- Registered {registered.GetProperty("inserted").GetInt32():N0} packages ({registered.GetProperty("merged").GetInt32()} duplicates merged)");
        }
        var total = await host.ScalarAsync<long>("select count(*) from app.packages where @id = @id", 0);

        // Engine: trigger the pending-packages sweep as the dashboard would; wait for every package to be final.
        var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = false };
        var storage = new PostgreSqlStorage(new NpgsqlConnectionFactory(host.ConnectionString, options, null), options);
        started.Restart();
        new RecurringJobManager(storage).Trigger(PendingPackagesSweep.RecurringJobId);
        while (await host.ScalarAsync<long>("select count(*) from app.packages where status in ('scanned', 'failed') and @id = @id", 0) < total)
        {
            await Task.Delay(100);
        }
        var engineSeconds = started.Elapsed.TotalSeconds;
        var engineFindings = await host.ScalarAsync<long>("select count(*) from app.findings where @id = @id", 0);
        var failed = await host.ScalarAsync<long>("select count(*) from app.packages where status = 'failed' and @id = @id", 0);
        var engineRate = total / engineSeconds;
        Console.WriteLine($"- Engine: {total:N0} packages scanned in {engineSeconds:0.0} s (sweep → batch → final): **{engineRate:N0} packages/s**; {engineFindings:N0} findings, {failed} failed");

        // Baseline, the old way: one package at a time, in one loop, same scanner and writes, same database.
        await using var dataSource = NpgsqlDataSource.Create(host.ConnectionString);
        var store = new PackageScanStore(dataSource);
        var scanner = new LocalScanner(dataSource, new OsvAdvisoryMatcher());
        var ids = new List<long>();
        await using (var command = dataSource.CreateCommand("select id from app.packages order by id"))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        started.Restart();
        foreach (var id in ids)
        {
            var target = (await store.StartAsync(id, 0, CancellationToken.None))!;
            var findings = await scanner.ScanAsync(target, CancellationToken.None);
            await store.ReplaceFindingsAsync(id, findings, CancellationToken.None);
        }
        var baselineSeconds = started.Elapsed.TotalSeconds;
        var baselineRate = ids.Count / baselineSeconds;
        var baselineFindings = await host.ScalarAsync<long>("select count(*) from app.findings where @id = @id", 0);
        Console.WriteLine($"- Baseline (sequential loop, same code): {ids.Count:N0} packages in {baselineSeconds:0.0} s: **{baselineRate:N0} packages/s**; {baselineFindings:N0} findings (engine: {engineFindings:N0})");
        Console.WriteLine($"- Engine / baseline: **{engineRate / baselineRate:0.0}×**; peak RSS of the host {host.PeakRssMb()} MB");
        return engineFindings == baselineFindings && failed == 0 ? 0 : 1;
    }

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
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            for (var i = 0; i < count; i++)
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
        return buffer.ToArray();
    }
}
