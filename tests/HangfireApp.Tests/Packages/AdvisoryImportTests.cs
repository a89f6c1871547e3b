using System.Globalization;
using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;
using HangfireApp.Batches.Submit;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Advisories;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Tests.Packages;

/// <summary>The streaming OSV import: its limits (zip bombs), and groups written one after the other in one transaction.</summary>
[Collection(PackagesTests.Name)]
public sealed class AdvisoryImportTests(PackagesFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Import_ZipBomb_Returns413_WithFlatMemory_AndWritesNothing()
    {
        // As reported: a 4.9 MB zip of 300 entries of 16 MB each (4.8 GB inflated) took the host to 1.66 GB and a 500.
        var bomb = ZipBomb.Create(entries: 300, entryBytes: 16_000_000);
        bomb.Length.ShouldBeLessThan(6_000_000);
        using var content = new ByteArrayContent(bomb);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/zip");

        // Tests run one collection at a time, so what this process allocates meanwhile is the import's doing.
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        using var response = await fixture.Api.PostAsync(new Uri("/api/advisories/import", UriKind.Relative), content);
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        var problem = await PackagesFixture.ReadAsync(response);

        ((int)response.StatusCode).ShouldBe(413, problem.ToString());
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        problem.GetProperty("title").GetString()!.ShouldContain("zip bomb");
        allocated.ShouldBeLessThan(256L * 1024 * 1024, $"the import allocated {allocated / 1024 / 1024} MB");
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories")).ShouldBe(0);
    }

    [Fact]
    public async Task Import_OverTheTotalInflatedSize_OrTheEntryCount_Returns413_AndWritesNothing()
    {
        var zip = RecordsZip(6, extraEntries: ["README.txt"]);

        var bytes = await Should.ThrowAsync<BatchRequestException>(() => ImportZipAsync(zip, new AdvisoryImportOptions { MaxDecompressedBytes = 1_000 }));
        bytes.StatusCode.ShouldBe(413);
        bytes.Message.ShouldContain("MaxDecompressedBytes");

        var entries = await Should.ThrowAsync<BatchRequestException>(() => ImportZipAsync(zip, new AdvisoryImportOptions { MaxEntries = 6 }));
        entries.StatusCode.ShouldBe(413);
        entries.Message.ShouldContain("MaxEntries");

        var entry = await Should.ThrowAsync<BatchRequestException>(() => ImportZipAsync(zip, new AdvisoryImportOptions { MaxEntryBytes = 200 }));
        entry.StatusCode.ShouldBe(413);
        entry.Errors.Keys.Single().ShouldEndWith(".json");
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories")).ShouldBe(0);

        // Within the limits the same zip imports; its other entries are read (counted) and skipped.
        (await ImportZipAsync(zip, new AdvisoryImportOptions())).ShouldBe(new ImportResult(6, 6, 0, 0));
    }

    [Fact]
    public async Task Import_ManyRecords_WritesGroupByGroupInOneTransaction_NewestOfADuplicateWins()
    {
        // 4,500 records: three write groups; record 4,400 repeats record 10 with a newer `modified` (another group).
        var records = Enumerable.Range(0, 4_500).Select(i => Record(i == 4_400 ? 10 : i, i == 4_400 ? "2025-01-01T00:00:00Z" : "2024-01-01T00:00:00Z"));
        var (status, counts) = await fixture.PostJsonAsync("/api/advisories/import", "[" + string.Join(",", records) + "]");

        status.ShouldBe(200, counts.ToString());
        counts.GetProperty("records").GetInt32().ShouldBe(4_500);
        counts.GetProperty("inserted").GetInt32().ShouldBe(4_499);
        counts.GetProperty("updated").GetInt32().ShouldBe(1);
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories")).ShouldBe(4_499);
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories where id = 'TEST-10' and modified = '2025-01-01T00:00:00Z'")).ShouldBe(1);

        // One bad record at the very end: the groups already written are rolled back with it.
        await fixture.ResetAsync();
        var (badStatus, problem) = await fixture.PostJsonAsync("/api/advisories/import",
            "[" + string.Join(",", Enumerable.Range(0, 4_500).Select(i => Record(i, "2024-01-01T00:00:00Z"))) + ", {\"id\": \"NO-MODIFIED\"}]");
        badStatus.ShouldBe(400, problem.ToString());
        problem.GetProperty("errors").GetProperty("records[4500]")[0].GetString()!.ShouldContain("modified");
        (await fixture.Db.ScalarAsync("select count(*) from app.advisories")).ShouldBe(0);
    }

    private async Task<ImportResult> ImportZipAsync(byte[] zip, AdvisoryImportOptions limits)
    {
        var importer = new AdvisoryImporter(fixture.Service<NpgsqlDataSource>(), Options.Create(new PackagesOptions { Import = limits }));
        await using var import = importer.Begin();
        await using var body = new MemoryStream(zip);
        await import.AddZipAsync(body, CancellationToken.None);
        return await import.CompleteAsync(CancellationToken.None);
    }

    private static string Record(int i, string modified) => string.Create(CultureInfo.InvariantCulture, $$"""
        {"id":"TEST-{{i}}","modified":"{{modified}}","summary":"test {{i}}",
         "affected":[{"package":{"ecosystem":"npm","name":"pkg-{{i % 50}}"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.{{i % 7}}.0"}]}]}]}
        """);

    private static byte[] RecordsZip(int count, string[] extraEntries)
    {
        using var buffer = new MemoryStream();
        using (var archive = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var name in extraEntries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write("not a record");
            }
            archive.CreateEntry("npm/");
            for (var i = 0; i < count; i++)
            {
                using var writer = new StreamWriter(archive.CreateEntry($"npm/TEST-{i}.json").Open(), Encoding.UTF8);
                writer.Write(Record(i, "2024-01-01T00:00:00Z"));
            }
        }
        return buffer.ToArray();
    }
}
