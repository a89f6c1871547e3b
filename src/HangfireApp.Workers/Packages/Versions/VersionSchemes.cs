using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// The version scheme of each supported OSV ecosystem. Ecosystem names are matched case-insensitively
/// (<c>pypi</c> finds <c>PyPI</c>). Ecosystems without a scheme (Maven, Debian, …) are not guessed at:
/// <see cref="TryGet"/> returns false and <see cref="Get"/> throws, and the matcher then falls back to the
/// advisory's explicit <c>versions</c> list.
/// </summary>
public static class VersionSchemes
{
    /// <summary>SemVer 2.0, for OSV ranges of type <c>SEMVER</c> whatever the ecosystem.</summary>
    public static IVersionScheme SemVer { get; } = new SemVerScheme("SemVer");

    private static readonly Dictionary<string, IVersionScheme> ByEcosystem = new IVersionScheme[]
    {
        new SemVerScheme("npm"),
        new SemVerScheme("crates.io"),
        new NuGetVersionScheme(),
        new PypiVersionScheme(),
        new GoVersionScheme(),
    }.ToDictionary(s => s.Ecosystem, StringComparer.OrdinalIgnoreCase);

    /// <summary>The OSV names of the ecosystems that have a scheme.</summary>
    public static IReadOnlyCollection<string> Ecosystems => ByEcosystem.Keys;

    /// <summary>Finds the scheme of an OSV ecosystem name; false for an ecosystem without one.</summary>
    public static bool TryGet(string ecosystem, [NotNullWhen(true)] out IVersionScheme? scheme) =>
        ByEcosystem.TryGetValue(ecosystem, out scheme);

    /// <summary>The scheme of an OSV ecosystem name.</summary>
    /// <exception cref="NotSupportedException">The ecosystem has no version scheme here.</exception>
    public static IVersionScheme Get(string ecosystem) =>
        TryGet(ecosystem, out var scheme)
            ? scheme
            : throw new NotSupportedException(
                $"No version scheme for ecosystem '{ecosystem}'; supported: {string.Join(", ", ByEcosystem.Keys)}.");
}
