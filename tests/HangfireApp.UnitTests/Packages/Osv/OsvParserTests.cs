using System.IO.Compression;
using System.Text;
using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages.Osv;

public sealed class OsvParserTests
{
    [Fact]
    public void Parse_ReadsEveryModelledField_WhenRecordIsGitHubAdvisory()
    {
        var record = Fixtures.Record("GHSA-jf85-cpcp-j695");

        record.Id.ShouldBe("GHSA-jf85-cpcp-j695");
        record.Modified.ShouldBe(new DateTimeOffset(2023, 11, 1, 5, 1, 32, TimeSpan.Zero));
        record.Published.ShouldBe(new DateTimeOffset(2019, 7, 10, 19, 45, 23, TimeSpan.Zero));
        record.Withdrawn.ShouldBeNull();
        record.Aliases.ShouldBe(["CVE-2019-10744"]);
        record.Summary.ShouldBe("Prototype Pollution in lodash");
        record.Severity.ShouldBe([new OsvSeverity("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H")]);
        record.Affected.Count.ShouldBe(2);
        record.Affected[0].Package.ShouldBe(new OsvPackage("npm", "lodash", "pkg:npm/lodash"));
        record.Affected[1].Package!.Purl.ShouldBeNull();
        var range = record.Affected[0].Ranges.ShouldHaveSingleItem();
        range.Type.ShouldBe("ECOSYSTEM");
        range.Events.ShouldBe([new OsvEvent { Introduced = "0" }, new OsvEvent { Fixed = "4.17.12" }]);
        record.DatabaseSpecific!.Value.GetProperty("severity").GetString().ShouldBe("CRITICAL");
    }

    [Fact]
    public void Parse_ReadsGitRangeAndVersions_WhenRecordIsPysec()
    {
        var record = Fixtures.Record("PYSEC-2021-98");

        var affected = record.Affected.ShouldHaveSingleItem();
        affected.Versions.ShouldContain("3.2.3");
        affected.Ranges[0].Type.ShouldBe("GIT");
        affected.Ranges[0].Repo.ShouldBe("https://github.com/django/django");
        affected.Ranges[1].Events.Count.ShouldBe(6);
    }

    [Fact]
    public void Parse_ReadsLastAffectedAndLimit_WhenEventsUseThem()
    {
        var record = OsvParser.Parse("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"a"},"ranges":[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.2.0"},{"limit":"2.0.0"}]}]}],"withdrawn":"2024-01-02T03:04:05Z"}""").Single();

        record.Affected[0].Ranges[0].Events.ShouldBe(
            [new OsvEvent { Introduced = "1.0.0" }, new OsvEvent { LastAffected = "1.2.0" }, new OsvEvent { Limit = "2.0.0" }]);
        record.Withdrawn.ShouldNotBeNull();
    }

    [Fact]
    public void Parse_ReturnsAllRecords_WhenJsonIsArray()
    {
        var json = $"[{Fixtures.Text("GO-2022-1059.json")},{Fixtures.Text("RUSTSEC-2021-0003.json")}]";

        OsvParser.Parse(json).Select(r => r.Id).ShouldBe(["GO-2022-1059", "RUSTSEC-2021-0003"]);
    }

    [Theory]
    [InlineData("{", "Invalid OSV JSON")]
    [InlineData("42", "found Number")]
    [InlineData("""{"summary":"no id"}""", "OSV record ?")]
    [InlineData("""[{"id":"X-2","severity":[{"type":"CVSS_V3"}]}]""", "OSV record X-2")]
    public void Parse_ThrowsOsvFormatException_WhenInputIsNotOsv(string json, string message)
    {
        Should.Throw<OsvFormatException>(() => OsvParser.Parse(json)).Message.ShouldContain(message);
    }

    [Fact]
    public async Task ParseAsync_ReadsRecord_WhenStreamIsUtf8()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(Fixtures.Text("GHSA-ghhp-997w-qr28.json")));

        var records = await OsvParser.ParseAsync(stream);

        records.ShouldHaveSingleItem().Affected.Count.ShouldBe(3);
    }

    [Fact]
    public async Task ReadZipAsync_YieldsEveryJsonEntry_WhenArchiveIsLikeOsvAllZip()
    {
        using var zip = Zip(("GHSA-jf85-cpcp-j695.json", Fixtures.Text("GHSA-jf85-cpcp-j695.json")),
            ("README.txt", "not a record"),
            ("PYSEC-2021-98.json", Fixtures.Text("PYSEC-2021-98.json")));

        var ids = new List<string>();
        await foreach (var record in OsvParser.ReadZipAsync(zip))
        {
            ids.Add(record.Id);
        }

        ids.ShouldBe(["GHSA-jf85-cpcp-j695", "PYSEC-2021-98"]);
    }

    [Fact]
    public async Task ReadZipAsync_NamesTheEntry_WhenAnEntryIsInvalid()
    {
        using var zip = Zip(("good.json", Fixtures.Text("GO-2022-1059.json")), ("bad.json", "{not json"));

        var e = await Should.ThrowAsync<OsvFormatException>(async () =>
        {
            await foreach (var unused in OsvParser.ReadZipAsync(zip))
            {
            }
        });

        e.Message.ShouldStartWith("bad.json:");
    }

    private static MemoryStream Zip(params (string Name, string Text)[] entries)
    {
        var stream = new MemoryStream();
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in entries)
            {
                using var writer = new StreamWriter(archive.CreateEntry(name).Open());
                writer.Write(text);
            }
        }

        stream.Position = 0;
        return stream;
    }
}
