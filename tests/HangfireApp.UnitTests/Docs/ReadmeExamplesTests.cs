using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace HangfireApp.UnitTests.Docs;

/// <summary>
/// The README's shell examples can be pasted as they are: every variable a block uses is defined in that block, every
/// file it sends exists in the repository (samples/), no example calls a host on the internet, and the sample files
/// are what they say (JSON, OSV records with ids, a zip of records, a CycloneDX document with purls).
/// </summary>
public sealed partial class ReadmeExamplesTests
{
    private static readonly string Root = FindRoot();

    [Fact]
    public void EveryShellBlock_DefinesTheVariablesItUses()
    {
        foreach (var (line, block) in ShellBlocks())
        {
            foreach (var name in new[] { "API", "KEY", "ID", "STANDINS" })
            {
                var used = Regex.IsMatch(block, $@"\${name}\b");
                var defined = Regex.IsMatch(block, $@"(^|[\s;]){name}=", RegexOptions.Multiline);
                (!used || defined).ShouldBeTrue($"the shell block at README line {line} uses ${name} without defining it");
            }
        }
    }

    [Fact]
    public void EveryFileAnExampleSends_Exists()
    {
        var files = ShellBlocks().SelectMany(b => SentFile().Matches(b.Block).Select(m => (b.Line, Path: m.Groups[1].Value))).ToList();
        files.ShouldNotBeEmpty();
        foreach (var (line, path) in files)
        {
            File.Exists(Path.Combine(Root, path)).ShouldBeTrue($"README line {line} sends {path}, which is not in the repository");
        }
    }

    [Fact]
    public void NoExample_CallsTheInternet()
    {
        foreach (var (line, block) in ShellBlocks())
        {
            // Comments may name the real services the stand-ins replace; commands may not call them.
            var commands = string.Join('\n', block.Split('\n').Select(text => Comment().Replace(text, "")));
            foreach (Match url in Url().Matches(commands))
            {
                url.Groups[1].Value.ShouldBe("127.0.0.1", $"README line {line}: {url.Value} needs the internet");
            }
        }
    }

    [Fact]
    public async Task Samples_AreWhatTheySay()
    {
        var osv = Path.Combine(Root, "samples", "osv");
        foreach (var file in Directory.GetFiles(osv, "*.json"))
        {
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            var records = document.RootElement.ValueKind == JsonValueKind.Array ? document.RootElement.EnumerateArray().ToList() : [document.RootElement];
            records.ShouldAllBe(record => record.GetProperty("id").GetString()!.Length > 0 && record.GetProperty("affected").GetArrayLength() > 0);
        }
        await using (var zip = await ZipFile.OpenReadAsync(Path.Combine(osv, "npm-all.zip")))
        {
            zip.Entries.Count.ShouldBeGreaterThan(0);
            foreach (var entry in zip.Entries)
            {
                await using var stream = await entry.OpenAsync();
                using var record = await JsonDocument.ParseAsync(stream);
                record.RootElement.GetProperty("affected")[0].GetProperty("package").GetProperty("ecosystem").GetString().ShouldBe("npm");
            }
        }
        using (var bom = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "samples", "sbom", "bom.json"))))
        {
            bom.RootElement.GetProperty("bomFormat").GetString().ShouldBe("CycloneDX");
            var purls = bom.RootElement.GetProperty("components").EnumerateArray()
                .Select(c => c.TryGetProperty("purl", out var purl) ? purl.GetString() : null).ToList();
            purls.ShouldContain(purl => purl != null && purl.StartsWith("pkg:npm/lodash@", StringComparison.Ordinal));
        }
        var csv = await File.ReadAllLinesAsync(Path.Combine(Root, "samples", "csv", "people.csv"));
        csv[0].ShouldBe("id,first_name,email");
        Directory.GetFiles(Path.Combine(Root, "samples", "pages"), "*.html", SearchOption.AllDirectories).Length.ShouldBeGreaterThanOrEqualTo(4);
        File.Exists(Path.Combine(Root, "samples", "pages", "robots.txt")).ShouldBeTrue();
    }

    private static List<(int Line, string Block)> ShellBlocks()
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "README.md"));
        var blocks = new List<(int, string)>();
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Trim() != "```bash")
            {
                continue;
            }
            var start = i + 1;
            var end = Array.FindIndex(lines, start, line => line.Trim() == "```");
            blocks.Add((start, string.Join('\n', lines[start..end])));
            i = end;
        }
        blocks.Count.ShouldBeGreaterThan(3);
        return blocks;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "README.md")) && Directory.Exists(Path.Combine(dir.FullName, "samples")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException("The repository root (README.md and samples/) is not above " + AppContext.BaseDirectory);
    }

    /// <summary><c>@samples/…</c> in a curl <c>-d</c>, <c>--data-binary</c> or <c>-F file=</c>.</summary>
    [GeneratedRegex(@"@(samples/[^\s'""]+)")]
    private static partial Regex SentFile();

    [GeneratedRegex(@"(^|\s)#.*$")]
    private static partial Regex Comment();

    [GeneratedRegex(@"https?://([^/:'""\s]+)")]
    private static partial Regex Url();
}
