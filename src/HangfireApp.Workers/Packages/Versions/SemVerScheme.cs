using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// SemVer 2.0 precedence, used by npm, crates.io and by OSV ranges of type <c>SEMVER</c> in any ecosystem.
/// </summary>
public sealed class SemVerScheme(string ecosystem) : IVersionScheme
{
    /// <inheritdoc />
    public string Ecosystem { get; } = ecosystem;

    /// <inheritdoc />
    public bool TryParse(string version, [NotNullWhen(true)] out string? normalized)
    {
        normalized = SemVersion.TryParse(version, out var v) ? v.ToString() : null;
        return normalized is not null;
    }

    /// <inheritdoc />
    public int Compare(string a, string b) => SemVersion.Parse(a).CompareTo(SemVersion.Parse(b));

    /// <inheritdoc />
    public object? ParseKey(string version) => SemVersion.TryParse(version, out var v) ? v : null;

    /// <inheritdoc />
    public int CompareKeys(object a, object b) => ((SemVersion)a).CompareTo((SemVersion)b);
}
