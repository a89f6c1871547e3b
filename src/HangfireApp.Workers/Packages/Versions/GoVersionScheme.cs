using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// Go module versions: SemVer with a <c>v</c> prefix (optional here, because OSV writes Go versions without it).
/// <c>+incompatible</c> is build metadata and so ignored by ordering; pseudo-versions such as
/// <c>v0.0.0-20191109021931-daa7c04131f5</c> or <c>v1.2.4-0.20191109021931-daa7c04131f5</c> are prereleases
/// and order correctly as plain SemVer, which is how the go command orders them too.
/// </summary>
public sealed class GoVersionScheme : IVersionScheme
{
    /// <inheritdoc />
    public string Ecosystem => "Go";

    /// <inheritdoc />
    /// <remarks>The normalized form carries the <c>v</c> prefix, as the go command prints it.</remarks>
    public bool TryParse(string version, [NotNullWhen(true)] out string? normalized)
    {
        normalized = SemVersion.TryParse(version, out var v) ? "v" + v : null;
        return normalized is not null;
    }

    /// <inheritdoc />
    public int Compare(string a, string b) => SemVersion.Parse(a).CompareTo(SemVersion.Parse(b));

    /// <inheritdoc />
    public object? ParseKey(string version) => SemVersion.TryParse(version, out var v) ? v : null;

    /// <inheritdoc />
    public int CompareKeys(object a, object b) => ((SemVersion)a).CompareTo((SemVersion)b);
}
