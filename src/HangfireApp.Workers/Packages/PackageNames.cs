using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// Ecosystems as OSV spells them, and the key a package name is matched by: an advisory for <c>Django</c>
/// must find a registered <c>django</c>. The key is the OSV matcher's own normalization, so the advisories a
/// scan loads by key are exactly those the matcher may accept.
/// </summary>
public static class PackageNames
{
    public const string Npm = "npm";
    public const string CratesIo = "crates.io";
    public const string NuGet = "NuGet";
    public const string PyPI = "PyPI";
    public const string Go = "Go";

    public static readonly IReadOnlyList<string> Ecosystems = [Npm, CratesIo, NuGet, PyPI, Go];

    /// <summary>The OSV spelling of an ecosystem (case-insensitive; purl types <c>cargo</c> and <c>golang</c> too), or null.</summary>
    public static string? CanonicalEcosystem(string? ecosystem) => ecosystem?.Trim().ToUpperInvariant() switch
    {
        "NPM" => Npm,
        "CRATES.IO" or "CARGO" => CratesIo,
        "NUGET" => NuGet,
        "PYPI" => PyPI,
        "GO" or "GOLANG" => Go,
        _ => null,
    };

    public static string NameKey(string ecosystem, string name) => OsvMatcher.NormalizeName(ecosystem, name);
}
