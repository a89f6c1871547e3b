using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>PyPI versions ordered by PEP 440 (see <see cref="Pep440Version"/>).</summary>
public sealed class PypiVersionScheme : IVersionScheme
{
    /// <inheritdoc />
    public string Ecosystem => "PyPI";

    /// <inheritdoc />
    public bool TryParse(string version, [NotNullWhen(true)] out string? normalized)
    {
        normalized = Pep440Version.TryParse(version, out var v) ? v.ToString() : null;
        return normalized is not null;
    }

    /// <inheritdoc />
    public int Compare(string a, string b) => Pep440Version.Parse(a).CompareTo(Pep440Version.Parse(b));

    /// <inheritdoc />
    public object? ParseKey(string version) => Pep440Version.TryParse(version, out var v) ? v : null;

    /// <inheritdoc />
    public int CompareKeys(object a, object b) => ((Pep440Version)a).CompareTo((Pep440Version)b);
}
