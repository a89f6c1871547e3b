using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Sbom;

/// <summary>
/// A Package URL (https://github.com/package-url/purl-spec): <c>pkg:type/namespace/name@version?qualifiers#subpath</c>.
/// Components are percent-decoded; qualifiers and subpath are dropped because a vulnerability lookup needs
/// none of them.
/// </summary>
public sealed record PackageUrl(string Type, string? Namespace, string Name, string? Version)
{
    /// <summary>Parses a purl; false when it has no <c>pkg:</c> scheme, type or name.</summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out PackageUrl? purl)
    {
        purl = null;
        var s = text.Trim();
        if (!s.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        s = s[4..].TrimStart('/'); // the spec tolerates pkg://type/...
        s = Cut(s, '#');
        s = Cut(s, '?');

        // The version follows the last '@' that comes after the last '/': an '@' in a namespace
        // (an npm scope written unencoded, pkg:npm/@babel/core) is not a version separator.
        string? version = null;
        var at = s.LastIndexOf('@');
        if (at > s.LastIndexOf('/'))
        {
            version = Uri.UnescapeDataString(s[(at + 1)..]);
            s = s[..at];
        }

        var segments = s.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length < 2)
        {
            return false;
        }

        var type = segments[0].ToLowerInvariant();
        var name = Uri.UnescapeDataString(segments[^1]);
        var ns = segments.Length > 2 ? string.Join('/', segments[1..^1].Select(Uri.UnescapeDataString)) : null;
        purl = new PackageUrl(type, ns, name, string.IsNullOrEmpty(version) ? null : version);
        return true;
    }

    /// <summary>
    /// The OSV package this purl names, or null when its type has no OSV ecosystem here or it has no version.
    /// npm → <c>npm</c> (<c>@scope/name</c>), pypi → <c>PyPI</c>, nuget → <c>NuGet</c>, cargo → <c>crates.io</c>,
    /// golang → <c>Go</c> (<c>namespace/name</c>, the module path), maven → <c>Maven</c> (<c>group:artifact</c>).
    /// </summary>
    public PackageRef? ToPackageRef()
    {
        if (Version is null)
        {
            return null;
        }

        var mapped = Type switch
        {
            "npm" => ("npm", Namespace is null ? Name : $"{Namespace}/{Name}"),
            "pypi" => ("PyPI", Name),
            "nuget" => ("NuGet", Name),
            "cargo" => ("crates.io", Name),
            "golang" => ("Go", Namespace is null ? Name : $"{Namespace}/{Name}"),
            "maven" => ("Maven", Namespace is null ? Name : $"{Namespace}:{Name}"),
            _ => ((string, string)?)null,
        };
        return mapped is var (ecosystem, name) ? new PackageRef(ecosystem, name, Version) : null;
    }

    /// <summary>The purl types <see cref="ToPackageRef"/> maps.</summary>
    public static IReadOnlyList<string> SupportedTypes { get; } = ["npm", "pypi", "nuget", "cargo", "golang", "maven"];

    private static string Cut(string s, char separator)
    {
        var i = s.IndexOf(separator, StringComparison.Ordinal);
        return i >= 0 ? s[..i] : s;
    }
}
