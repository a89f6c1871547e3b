using System.Diagnostics.CodeAnalysis;
using NuGet.Versioning;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// NuGet versions by NuGet's own rules (NuGet.Versioning): up to four numeric parts (<c>1.0</c> equals
/// <c>1.0.0.0</c>), case-insensitive prerelease labels, metadata ignored.
/// </summary>
public sealed class NuGetVersionScheme : IVersionScheme
{
    /// <inheritdoc />
    public string Ecosystem => "NuGet";

    /// <inheritdoc />
    public bool TryParse(string version, [NotNullWhen(true)] out string? normalized)
    {
        normalized = NuGetVersion.TryParse(version, out var v) ? v.ToNormalizedString() : null;
        return normalized is not null;
    }

    /// <inheritdoc />
    public int Compare(string a, string b) => VersionComparer.Default.Compare(Parse(a), Parse(b));

    /// <inheritdoc />
    public object? ParseKey(string version) => NuGetVersion.TryParse(version, out var v) ? v : null;

    /// <inheritdoc />
    public int CompareKeys(object a, object b) => VersionComparer.Default.Compare((NuGetVersion)a, (NuGetVersion)b);

    private static NuGetVersion Parse(string text) =>
        NuGetVersion.TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a NuGet version.");
}
