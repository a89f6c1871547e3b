using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Hangfire;
using HangfireApp.Batches.Storage;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Scanning;
using Npgsql;

namespace HangfireApp.Tests.Packages;

[Collection(PackagesTests.Name)]
public sealed class PackageScanTests(PackagesFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Sweep_ScansRegisteredPackages_WithFindingsPerEcosystem()
    {
        var (importStatus, import) = await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories());
        importStatus.ShouldBe(200, import.ToString());
        import.GetProperty("inserted").GetInt32().ShouldBe(6);

        var (status, registered) = await fixture.PostAsync("/api/packages", new object[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },        // both lodash advisories
            new { ecosystem = "npm", name = "lodash", version = "4.17.19" },        // fixed in both
            new { ecosystem = "npm", name = "lodash", version = "3.6.0" },          // only the first (second starts at 3.7.0)
            new { ecosystem = "pypi", name = "jinja2", version = "2.10" },          // PEP 503 name, explicit version list
            new { ecosystem = "PyPI", name = "Jinja2", version = "2.10.1" },
            new { ecosystem = "crates.io", name = "smallvec", version = "1.4.0" },
            new { ecosystem = "cargo", name = "smallvec", version = "0.6.14" },     // between the two ranges
            new { ecosystem = "NuGet", name = "newtonsoft.json", version = "12.0.3", priority = "high" },
            new { ecosystem = "Go", name = "golang.org/x/net", version = "0.6.0" },
            new { ecosystem = "Go", name = "golang.org/x/net", version = "0.7.0" },
        });
        status.ShouldBe(200, registered.ToString());
        registered.GetProperty("inserted").GetInt32().ShouldBe(10);

        var sweep = await fixture.SweepAsync();
        sweep.Claimed.ShouldBe(10);
        // A first round of one chunk (4): the high-priority package and 3 normal ones (two batches, one per priority),
        // then a round of two chunks: the other 6.
        sweep.BatchIds.Count.ShouldBe(3);
        foreach (var id in sweep.BatchIds)
        {
            (await fixture.Api.WaitFinalAsync(id)).State.ShouldBe("succeeded");
        }

        var page = await Eventually.Until(() => fixture.GetAsync("/api/packages"),
            body => body.GetProperty("items").EnumerateArray().All(p => p.GetProperty("status").GetString() == "scanned"),
            TimeSpan.FromSeconds(30), "every package to be scanned");
        var findings = page.GetProperty("items").EnumerateArray().ToDictionary(
            p => $"{p.GetProperty("ecosystem").GetString()}/{p.GetProperty("name").GetString()}@{p.GetProperty("version").GetString()}",
            p => p.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("advisoryId").GetString()).Order().ToArray());
        findings["npm/lodash@4.17.11"].ShouldBe(["GHSA-jf85-cpcp-j695", "GHSA-p6mc-m468-83gw"]);
        findings["npm/lodash@4.17.19"].ShouldBeEmpty();
        findings["npm/lodash@3.6.0"].ShouldBe(["GHSA-jf85-cpcp-j695"]);
        findings["PyPI/jinja2@2.10"].ShouldBe(["PYSEC-2019-217"]);
        findings["PyPI/Jinja2@2.10.1"].ShouldBeEmpty();
        findings["crates.io/smallvec@1.4.0"].ShouldBe(["RUSTSEC-2021-0003"]);
        findings["crates.io/smallvec@0.6.14"].ShouldBeEmpty();
        findings["NuGet/newtonsoft.json@12.0.3"].ShouldBe(["GHSA-5crp-9r3c-p9vr"]);
        findings["Go/golang.org/x/net@0.6.0"].ShouldBe(["GO-2023-1571"]);
        findings["Go/golang.org/x/net@0.7.0"].ShouldBeEmpty();

        var lodash = page.GetProperty("items").EnumerateArray().Single(p => p.GetProperty("version").GetString() == "4.17.11");
        var critical = lodash.GetProperty("findings").EnumerateArray().Single(f => f.GetProperty("advisoryId").GetString() == "GHSA-jf85-cpcp-j695");
        critical.GetProperty("severity").GetString().ShouldBe("CRITICAL");
        critical.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ShouldBe(["CVE-2019-10744"]);
        critical.GetProperty("fixedIn").GetString().ShouldBe("4.17.12");
        critical.GetProperty("summary").GetString().ShouldBe("Prototype Pollution in lodash");
        lodash.GetProperty("scannedAt").ValueKind.ShouldBe(JsonValueKind.String);
        // Severity computed from the CVSS vector when the database gives no label (AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H = 10.0).
        (await ScalarTextAsync("select severity from app.findings where advisory_id = 'PYSEC-2019-217'")).ShouldBe("CRITICAL");

        // Filters: by status and by name.
        (await fixture.GetAsync("/api/packages?status=pending")).GetProperty("total").GetInt64().ShouldBe(0);
        (await fixture.GetAsync("/api/packages?q=lodash")).GetProperty("total").GetInt64().ShouldBe(3);
    }

    [Fact]
    public async Task Import_UpdatesByIdAndModified_AndCountsInsertedUpdatedSkipped()
    {
        var record = PackagesFixture.Fixture("GHSA-p6mc-m468-83gw.json");
        var (_, first) = await fixture.PostJsonAsync("/api/advisories/import", record);
        first.GetProperty("inserted").GetInt32().ShouldBe(1);

        var (_, same) = await fixture.PostJsonAsync("/api/advisories/import", record);
        same.GetProperty("skipped").GetInt32().ShouldBe(1);

        var newer = record.Replace("2023-11-08T04:03:30Z", "2024-01-01T00:00:00Z", StringComparison.Ordinal)
            .Replace("\"fixed\": \"4.17.19\"", "\"fixed\": \"4.17.21\"", StringComparison.Ordinal);
        var older = record.Replace("2023-11-08T04:03:30Z", "2020-01-01T00:00:00Z", StringComparison.Ordinal);
        // A zip as OSV publishes it: one record per file; plus a record that is new.
        var zip = Zip(("GHSA-p6mc-m468-83gw.json", newer), ("GHSA-jf85-cpcp-j695.json", PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json")));
        using var content = new ByteArrayContent(zip);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");
        using var response = await fixture.Api.PostAsync(new Uri("/api/advisories/import", UriKind.Relative), content);
        var counts = await PackagesFixture.ReadAsync(response);
        ((int)response.StatusCode).ShouldBe(200, counts.ToString());
        counts.GetProperty("records").GetInt32().ShouldBe(2);
        counts.GetProperty("inserted").GetInt32().ShouldBe(1);
        counts.GetProperty("updated").GetInt32().ShouldBe(1);

        var (_, stale) = await fixture.PostJsonAsync("/api/advisories/import", older);
        stale.GetProperty("skipped").GetInt32().ShouldBe(1);
        (await ScalarTextAsync("select record #>> '{affected,0,ranges,0,events,1,fixed}' from app.advisories where id = 'GHSA-p6mc-m468-83gw'")).ShouldBe("4.17.21");
        (await fixture.Db.ScalarAsync("select count(*) from app.advisory_packages where advisory_id = 'GHSA-jf85-cpcp-j695'")).ShouldBe(2);
    }

    [Fact]
    public async Task Import_BadRecord_Returns400NamingIt_AndWritesNothing()
    {
        var records = $"[{PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json")}, {{\"id\": \"BROKEN-1\", \"affected\": []}}]";
        var (status, problem) = await fixture.PostJsonAsync("/api/advisories/import", records);

        status.ShouldBe(400);
        problem.GetProperty("errors").GetProperty("records[1]")[0].GetString()!.ShouldContain("modified");
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories")).ShouldBe(0);
    }

    [Fact]
    public async Task RegisterSbom_MergesDuplicates_SkipsOtherEcosystems_AndStartsPending()
    {
        var sbom = PackagesFixture.Fixture("sbom.cdx.json");
        var (status, result) = await fixture.PostJsonAsync("/api/packages?priority=high", sbom, "application/vnd.cyclonedx+json");

        status.ShouldBe(200, result.ToString());
        result.GetProperty("received").GetInt32().ShouldBe(3); // lodash (listed twice, read once), jinja2, markupsafe
        result.GetProperty("inserted").GetInt32().ShouldBe(3);
        result.GetProperty("skipped").GetArrayLength().ShouldBe(2); // maven, and a component without a purl

        // The same SBOM as a multipart upload, plus one duplicate in a list: nothing new, merged instead.
        using var form = new MultipartFormDataContent();
        var file = new StringContent(sbom, Encoding.UTF8);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.cyclonedx+json");
        form.Add(file, "file", "bom.json");
        using var response = await fixture.Api.PostAsync(new Uri("/api/packages", UriKind.Relative), form);
        var merged = await PackagesFixture.ReadAsync(response);
        ((int)response.StatusCode).ShouldBe(200, merged.ToString());
        merged.GetProperty("inserted").GetInt32().ShouldBe(0);
        merged.GetProperty("merged").GetInt32().ShouldBe(3);

        var (_, list) = await fixture.PostAsync("/api/packages", new { packages = new[]
        {
            new { ecosystem = "PyPI", name = "Jinja2", version = "2.10" },
            new { ecosystem = "pypi", name = "jinja_2", version = "2.10" },
            new { ecosystem = "pypi", name = "jinja2", version = "2.10" },
        } });
        list.GetProperty("inserted").GetInt32().ShouldBe(1); // jinja-2 is another package; Jinja2 = jinja2
        list.GetProperty("merged").GetInt32().ShouldBe(2);

        var packages = await fixture.GetAsync("/api/packages?status=pending");
        packages.GetProperty("total").GetInt64().ShouldBe(4);
        packages.GetProperty("items").EnumerateArray().Count(p => p.GetProperty("priority").GetString() == "high").ShouldBe(3);
    }

    [Fact]
    public async Task Register_BadEntry_Returns400NamingIt_AndWritesNothing()
    {
        var (status, problem) = await fixture.PostAsync("/api/packages", new object[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },
            new { ecosystem = "maven", name = "junit", version = "4.12" },
            new { ecosystem = "npm", name = "", version = "1.0.0", priority = "urgent" },
        });

        status.ShouldBe(400);
        var errors = problem.GetProperty("errors");
        errors.GetProperty("packages[1]")[0].GetString()!.ShouldContain("ecosystem 'maven' is not supported");
        errors.GetProperty("packages[2]").GetArrayLength().ShouldBe(2);
        errors.TryGetProperty("packages[0]", out _).ShouldBeFalse();
        (await fixture.Db.ScalarAsync("select count(*) from app.packages")).ShouldBe(0);

        var (badJson, _) = await fixture.PostJsonAsync("/api/packages", "{\"packages\": [");
        badJson.ShouldBe(400);
        var (notSbom, _) = await fixture.PostJsonAsync("/api/packages", "{\"bomFormat\": \"CycloneDX\", \"components\": [{\"purl\": \"npm/lodash\"}]}");
        notSbom.ShouldBe(400);
        using var bogus = await fixture.Api.GetAsync(new Uri("/api/packages?status=bogus", UriKind.Relative));
        ((int)bogus.StatusCode).ShouldBe(400);
    }

    [Fact]
    public async Task Claim_TakesHighPriorityFirst_ThenOldest()
    {
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "a-old-normal", version = "1.0.0", priority = "normal" } });
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "b-low", version = "1.0.0", priority = "low" } });
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "c-new-normal", version = "1.0.0", priority = "normal" } });
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "d-high", version = "1.0.0", priority = "high" } });

        await using var transaction = await AppTransaction.BeginAsync(fixture.Service<NpgsqlDataSource>(), CancellationToken.None);
        var claimed = await PendingPackagesSweep.ClaimAsync(transaction, 3, CancellationToken.None);

        (await NamesAsync(transaction, claimed)).ShouldBe(["d-high", "a-old-normal", "c-new-normal"]);
        // Not completed: rolled back, so nothing stays queued.
    }

    [Fact]
    public async Task TwoConcurrentClaims_NeverTakeTheSamePackage()
    {
        await fixture.PostAsync("/api/packages", Enumerable.Range(0, 10).Select(i => new { ecosystem = "npm", name = $"pkg-{i}", version = "1.0.0" }).ToArray());
        var dataSource = fixture.Service<NpgsqlDataSource>();

        await using var first = await AppTransaction.BeginAsync(dataSource, CancellationToken.None);
        var firstClaim = await PendingPackagesSweep.ClaimAsync(first, 6, CancellationToken.None);
        // The first transaction still holds its rows: the second skips them instead of waiting or taking them.
        await using var second = await AppTransaction.BeginAsync(dataSource, CancellationToken.None);
        var secondClaim = await PendingPackagesSweep.ClaimAsync(second, 6, CancellationToken.None);

        firstClaim.Count.ShouldBe(6);
        secondClaim.Count.ShouldBe(4);
        firstClaim.Select(p => p.Id).Intersect(secondClaim.Select(p => p.Id)).ShouldBeEmpty();
        first.Complete();
        second.Complete();
        await first.DisposeAsync();
        await second.DisposeAsync();
        // A claim only locks: the batch's submit marks the packages queued (one update per package, not two).
        (await fixture.Db.ScalarAsync("select count(*) from app.packages where status = 'pending'")).ShouldBe(10);

        // Two whole sweeps at once: every package in exactly one batch.
        await fixture.ResetAsync();
        await fixture.PostAsync("/api/packages", Enumerable.Range(0, 40).Select(i => new { ecosystem = "npm", name = $"pkg-{i}", version = "1.0.0" }).ToArray());
        var sweeps = await Task.WhenAll(fixture.SweepAsync(), fixture.SweepAsync());
        sweeps.Sum(s => s.Claimed).ShouldBe(40);
        (await fixture.Db.ScalarAsync("""
            select count(*) from (select (payload->>'packageId')::bigint from app.items i join app.batches b on b.id = i.batch_id
                                  where b.worker_type = 'packages' and b.id = any(@ids) group by 1 having count(*) = 1) once
            """, ("ids", sweeps.SelectMany(s => s.BatchIds).ToArray()))).ShouldBe(40);
    }

    [Fact]
    public async Task Sweep_TakesEveryPendingPackage_OneChunkFirst_ThenBatchesOfTwiceAsManyChunks_UntilNoneIsLeft()
    {
        await fixture.PostAsync("/api/packages", Enumerable.Range(0, 23).Select(i => new { ecosystem = "npm", name = $"pkg-{i}", version = "1.0.0" }).ToArray());

        var sweep = await fixture.SweepAsync();

        sweep.Claimed.ShouldBe(23);
        // Chunk size 4: one chunk (scanning starts at once), then two, then up to four: the last 11 packages.
        (await fixture.Db.TextAsync("""
            select string_agg(format('%s/%s', b.total_items, (select count(*) from app.chunks c where c.batch_id = b.id)), ' ' order by b.id)
            from app.batches b where b.id = any(@ids)
            """, ("ids", sweep.BatchIds.ToArray()))).ShouldBe("4/1 8/2 11/3");
        (await fixture.Db.ScalarAsync("select count(*) from app.packages where status = 'pending'")).ShouldBe(0);
        // Every package is queued by the batch that holds its item.
        (await fixture.Db.ScalarAsync("""
            select count(*) from app.items i join app.packages p on p.id = (i.payload->>'packageId')::bigint and p.last_batch_id = i.batch_id
            where i.batch_id = any(@ids)
            """, ("ids", sweep.BatchIds.ToArray()))).ShouldBe(23);
        foreach (var id in sweep.BatchIds)
        {
            (await fixture.Api.WaitFinalAsync(id)).State.ShouldBe("succeeded");
        }
    }

    [Fact]
    public async Task Import_CompilesTheAdvisoriesIntoTheCache_AtTheirCommittedVersion()
    {
        var cache = fixture.Service<AdvisoryCache>();
        (await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories())).Status.ShouldBe(200);

        // Without any scan: the import's host warms its cache in the background, with the rows as committed.
        var cached = await Eventually.Until(() => CachedAsync(cache), count => count == 6, TimeSpan.FromSeconds(30), "every imported advisory to be compiled");
        cached.ShouldBe(6);
        // A row rewritten afterwards (here in place, as any rewrite) no longer matches its cache entry.
        await using (var touch = fixture.Db.CreateCommand("update app.advisories set summary = summary where id = 'GHSA-p6mc-m468-83gw'"))
        {
            await touch.ExecuteNonQueryAsync();
        }
        (await CachedAsync(cache)).ShouldBe(5);
    }

    private async Task<int> CachedAsync(AdvisoryCache cache)
    {
        var current = 0;
        await using var command = fixture.Db.CreateCommand("select id, modified, xmin from app.advisories");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            current += cache.Get(reader.GetString(0), reader.GetDateTime(1), reader.GetFieldValue<uint>(2)) is null ? 0 : 1;
        }
        return current;
    }

    [Fact]
    public async Task Rescan_MatchesTheNewerRecord_AfterAReimport_NotTheCompiledOne()
    {
        var record = PackagesFixture.Fixture("GHSA-p6mc-m468-83gw.json");
        await fixture.PostJsonAsync("/api/advisories/import", record);
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "lodash", version = "4.17.15" } });
        var first = await fixture.SweepAsync();
        (await fixture.Api.WaitFinalAsync(first.BatchIds.Single())).State.ShouldBe("succeeded");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings where fixed_in = '4.17.19'")).ShouldBe(1);

        // A newer record says 4.17.15 was never affected (fixed in 4.17.12): the host's compiled copy must not be used.
        var newer = record.Replace("2023-11-08T04:03:30Z", "2024-02-01T00:00:00Z", StringComparison.Ordinal)
            .Replace("\"fixed\": \"4.17.19\"", "\"fixed\": \"4.17.12\"", StringComparison.Ordinal);
        (await fixture.PostJsonAsync("/api/advisories/import", newer)).Body.GetProperty("updated").GetInt32().ShouldBe(1);
        await using (var rescan = fixture.Db.CreateCommand("update app.packages set status = 'pending'"))
        {
            await rescan.ExecuteNonQueryAsync();
        }
        var second = await fixture.SweepAsync();
        (await fixture.Api.WaitFinalAsync(second.BatchIds.Single())).State.ShouldBe("succeeded");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);
    }

    [Fact]
    public async Task FailedScan_EndsFailedWithError_RerunPutsItBackToPending_AndTheNextScanSucceeds()
    {
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json"));
        // A record damaged in the database (not through the API, which refuses it): every scan of lodash fails.
        await using (var damage = fixture.Db.CreateCommand("update app.advisories set record = jsonb_set(record, '{affected}', '\"broken\"')"))
        {
            await damage.ExecuteNonQueryAsync();
        }
        await fixture.PostAsync("/api/packages", new[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },
            new { ecosystem = "npm", name = "express", version = "4.18.2" },
        });

        var sweep = await fixture.SweepAsync();
        (await fixture.Api.WaitFinalAsync(sweep.BatchIds.Single())).State.ShouldBe("completed_with_failures");
        var failed = await Eventually.Until(() => fixture.GetAsync("/api/packages?status=failed"),
            body => body.GetProperty("total").GetInt64() == 1, TimeSpan.FromSeconds(20), "lodash to be failed");
        var lodash = failed.GetProperty("items")[0];
        lodash.GetProperty("name").GetString().ShouldBe("lodash");
        lodash.GetProperty("lastError").GetString()!.ShouldContain("OSV");
        (await fixture.GetAsync("/api/packages?status=scanned")).GetProperty("total").GetInt64().ShouldBe(1);
        (await fixture.Db.ScalarAsync("select attempts from app.items where batch_id = @b and state = 'failed'", ("b", sweep.BatchIds[0]))).ShouldBe(2);

        // Repair the advisory (a newer record), rerun the failed packages: back to pending, then scanned.
        var repaired = PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json").Replace("2023-11-01T23:42:22Z", "2024-06-01T00:00:00Z", StringComparison.Ordinal);
        (await fixture.PostJsonAsync("/api/advisories/import", repaired)).Body.GetProperty("updated").GetInt32().ShouldBe(1);
        var (status, rerun) = await fixture.PostAsync("/api/packages/rerun-failed", new { });
        status.ShouldBe(200);
        rerun.GetProperty("pending").GetInt32().ShouldBe(1);
        (await fixture.GetAsync("/api/packages?status=pending")).GetProperty("items")[0].GetProperty("name").GetString().ShouldBe("lodash");

        var again = await fixture.SweepAsync();
        again.Claimed.ShouldBe(1);
        (await fixture.Api.WaitFinalAsync(again.BatchIds.Single())).State.ShouldBe("succeeded");
        var scanned = await Eventually.Until(() => fixture.GetAsync("/api/packages?q=lodash"),
            body => body.GetProperty("items")[0].GetProperty("status").GetString() == "scanned", TimeSpan.FromSeconds(20), "lodash to be scanned");
        scanned.GetProperty("items")[0].GetProperty("findings").GetArrayLength().ShouldBe(1);
        scanned.GetProperty("items")[0].GetProperty("lastError").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task TriggeringThePendingPackagesRecurringJob_SubmitsABatch()
    {
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "left-pad", version = "1.3.0" } });

        fixture.Service<IRecurringJobManager>().Trigger(PendingPackagesSweep.RecurringJobId);

        var page = await Eventually.Until(() => fixture.GetAsync("/api/packages"),
            body => body.GetProperty("items")[0].GetProperty("status").GetString() == "scanned", TimeSpan.FromSeconds(30), "the triggered sweep to scan the package");
        page.GetProperty("items")[0].GetProperty("lastBatchId").GetInt64().ShouldBeGreaterThan(0);
    }

    private async Task<string?> ScalarTextAsync(string sql)
    {
        await using var command = fixture.Db.CreateCommand(sql);
        return (string?)await command.ExecuteScalarAsync();
    }

    private static async Task<List<string>> NamesAsync(AppTransaction transaction, IReadOnlyList<ClaimedPackage> claimed)
    {
        var names = new List<string>();
        foreach (var package in claimed)
        {
            await using var command = transaction.Command("select name from app.packages where id = @id");
            command.Parameters.AddWithValue("id", package.Id);
            names.Add((string)(await command.ExecuteScalarAsync())!);
        }
        return names;
    }

    private static byte[] Zip(params (string Name, string Text)[] entries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(text);
            }
        }
        return buffer.ToArray();
    }
}
