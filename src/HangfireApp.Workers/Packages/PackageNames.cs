using System.Text.RegularExpressions;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// Ecosystems as OSV spells them, and the key a package name is matched by: an advisory for <c>Django</c>
/// must find a registered <c>django</c> (PyPI names are compared after PEP 503 normalization, NuGet ids
/// case-insensitively, crates.io names with <c>-</c> and <c>_</c> equal).
/// </summary>
public static partial class PackageNames
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

    public static string NameKey(string ecosystem, string name) => ecosystem switch
    {
        PyPI => PypiSeparators().Replace(name.ToLowerInvariant(), "-"),
        NuGet => name.ToLowerInvariant(),
        CratesIo => name.ToLowerInvariant().Replace('_', '-'),
        _ => name,
    };

    [GeneratedRegex("[-_.]+")]
    private static partial Regex PypiSeparators();
}
