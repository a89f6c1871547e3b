using System.Globalization;
using System.Text.Json;
using HangfireApp.Workers.Packages.Osv;
using HangfireApp.Workers.Packages.Scanning;

namespace HangfireApp.UnitTests.Packages.Scanning;

/// <summary>
/// The compiled matcher must decide exactly as the per-package matcher (<see cref="OsvAdvisoryMatcher"/>) for every
/// record and version: same affected or not, same fixed-in version, an error where it errs.
/// </summary>
public sealed class CompiledAdvisoryTests
{
    private static readonly string[] Ecosystems = ["npm", "PyPI", "crates.io", "NuGet", "Go"];

    [Theory]
    [InlineData("GHSA-jf85-cpcp-j695")]
    [InlineData("PYSEC-2021-98")]
    [InlineData("GO-2022-1059")]
    [InlineData("RUSTSEC-2021-0003")]
    [InlineData("GHSA-ghhp-997w-qr28")]
    public void Match_DecidesAsThePerPackageMatcher_ForRealRecords(string id)
    {
        var json = Fixtures.Text(id + ".json");
        var record = OsvParser.Parse(json).Single();
        var compiled = Compile(json);
        var versions = record.Affected.SelectMany(a => a.Versions.Concat(a.Ranges.SelectMany(r => r.Events)
                .SelectMany(e => new[] { e.Introduced, e.Fixed, e.LastAffected, e.Limit }.OfType<string>())))
            .SelectMany(Around).Append("not-a-version").Append("0").Distinct().ToList();
        var checkedCount = 0;
        foreach (var affected in record.Affected.Where(a => a.Package is not null))
        {
            foreach (var name in new[] { affected.Package!.Name, affected.Package.Name.ToUpperInvariant(), "other" })
            {
                foreach (var version in versions)
                {
                    AssertSame(json, compiled, affected.Package.Ecosystem, name, version);
                    checkedCount++;
                }
            }
        }
        checkedCount.ShouldBeGreaterThan(10);
    }

    [Fact]
    public void Match_DecidesAsThePerPackageMatcher_ForGeneratedRecords()
    {
        var random = new Random(20261201);
        for (var n = 0; n < 400; n++)
        {
            var ecosystem = Ecosystems[random.Next(Ecosystems.Length)];
            var json = GeneratedRecord(random, n, ecosystem);
            var compiled = Compile(json);
            for (var v = 0; v < 40; v++)
            {
                AssertSame(json, compiled, ecosystem, "pkg", RandomVersion(random, ecosystem));
            }
        }
    }

    [Fact]
    public void Compile_FailsOnABrokenAffectedList_AsThePerPackageMatcherDoes()
    {
        Should.Throw<OsvFormatException>(() => OsvParser.ParseAffected("BROKEN-1", "\"broken\"")).Message.ShouldContain("OSV record BROKEN-1");
        Should.Throw<OsvFormatException>(() => new OsvAdvisoryMatcher().Match("""{"id":"BROKEN-1","affected":"broken"}""", Target("npm", "x", "1.0.0")));
    }

    private static CompiledAdvisory Compile(string json)
    {
        using var document = JsonDocument.Parse(json);
        var id = document.RootElement.GetProperty("id").GetString()!;
        return new CompiledAdvisory(id, OsvParser.ParseAffected(id, document.RootElement.TryGetProperty("affected", out var affected) ? affected.GetRawText() : null));
    }

    private static ScanTarget Target(string ecosystem, string name, string version) => new(1, ecosystem, name, OsvMatcher.NormalizeName(ecosystem, name), version);

    private static void AssertSame(string json, CompiledAdvisory compiled, string ecosystem, string name, string version)
    {
        AdvisoryMatch? expected;
        try
        {
            expected = new OsvAdvisoryMatcher().Match(json, Target(ecosystem, name, version));
        }
        catch (Exception e) when (e is FormatException or NullReferenceException or ArgumentException)
        {
            Should.Throw<Exception>(() => compiled.Match(new MatchTarget(ecosystem, name, version)), $"{ecosystem}/{name}@{version}");
            return;
        }
        var actual = compiled.Match(new MatchTarget(ecosystem, name, version));
        actual.ShouldBe(expected, $"{compiled.Id}: {ecosystem}/{name}@{version}");
    }

    /// <summary>A version and its neighbours, so range bounds are tested on both sides.</summary>
    private static IEnumerable<string> Around(string version)
    {
        yield return version;
        var parts = version.TrimStart('v').Split('.');
        if (parts.Length == 3 && parts.All(p => int.TryParse(p, CultureInfo.InvariantCulture, out _)))
        {
            var patch = int.Parse(parts[2], CultureInfo.InvariantCulture);
            yield return $"{parts[0]}.{parts[1]}.{patch + 1}";
            if (patch > 0)
            {
                yield return $"{parts[0]}.{parts[1]}.{patch - 1}";
            }
            yield return $"{parts[0]}.{parts[1]}.{patch}-rc.1";
        }
    }

    private static string RandomVersion(Random random, string ecosystem)
    {
        var version = $"{random.Next(0, 4)}.{random.Next(0, 4)}.{random.Next(0, 4)}";
        return random.Next(12) switch
        {
            0 => version + (ecosystem == "PyPI" ? "rc1" : "-beta.1"),
            1 => ecosystem == "PyPI" ? version[..3] : version,          // 1.2 (PyPI: equals 1.2.0)
            2 => ecosystem == "NuGet" ? version + ".0" : version,       // 1.2.3.0 (NuGet: equals 1.2.3)
            3 => "v" + version,
            4 => "garbage",
            _ => version,
        };
    }

    /// <summary>Records with every shape the matcher handles: several ranges and types, limits, last_affected, explicit
    /// versions, bounds that do not parse, ties, and entries for other packages.</summary>
    private static string GeneratedRecord(Random random, int n, string ecosystem)
    {
        string V() => random.Next(10) switch
        {
            0 => "0",
            1 => "bad-version",
            2 => $"{random.Next(0, 4)}.{random.Next(0, 4)}",
            _ => $"{random.Next(0, 4)}.{random.Next(0, 4)}.{random.Next(0, 4)}",
        };
        object Event() => random.Next(6) switch
        {
            0 or 1 => new { introduced = V() },
            2 or 3 => new { @fixed = V() },
            4 => new { last_affected = V() },
            _ => new { limit = V() },
        };
        object Range() => new
        {
            type = random.Next(5) switch { 0 => "SEMVER", 1 => "GIT", _ => "ECOSYSTEM" },
            events = Enumerable.Range(0, random.Next(1, 5)).Select(_ => Event()).ToArray(),
        };
        object Affected(string name) => new
        {
            package = new { ecosystem = random.Next(8) == 0 ? ecosystem.ToLowerInvariant() : ecosystem, name },
            ranges = Enumerable.Range(0, random.Next(0, 3)).Select(_ => Range()).ToArray(),
            versions = Enumerable.Range(0, random.Next(0, 3)).Select(_ => V()).ToArray(),
        };
        var affected = Enumerable.Range(0, random.Next(1, 4)).Select(i => Affected(i == 2 ? "other" : "pkg")).ToArray();
        return JsonSerializer.Serialize(new { id = $"GEN-{n}", modified = "2024-01-01T00:00:00Z", affected });
    }
}
