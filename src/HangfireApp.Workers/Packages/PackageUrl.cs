using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages;

/// <summary>A package URL (<c>pkg:type/namespace/name@version?qualifiers#subpath</c>), as far as the scan needs it.</summary>
public sealed record PackageUrl(string Type, string? Namespace, string Name, string? Version)
{
    /// <summary>The package's name in its ecosystem: npm scopes and Go module paths keep their namespace.</summary>
    public string FullName(string ecosystem) => Namespace is null ? Name : ecosystem switch
    {
        PackageNames.Npm or PackageNames.Go => $"{Namespace}/{Name}",
        _ => Name,
    };

    public static bool TryParse(string purl, [NotNullWhen(true)] out PackageUrl? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        if (!purl.StartsWith("pkg:", StringComparison.OrdinalIgnoreCase))
        {
            error = "it must start with 'pkg:'.";
            return false;
        }
        var rest = purl[4..].TrimStart('/');
        var hash = rest.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0)
        {
            rest = rest[..hash];
        }
        var question = rest.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            rest = rest[..question];
        }
        string? version = null;
        var at = rest.LastIndexOf('@');
        var slash = rest.LastIndexOf('/');
        if (at > slash)
        {
            version = Uri.UnescapeDataString(rest[(at + 1)..]);
            rest = rest[..at];
        }
        var parts = rest.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 2)
        {
            error = "it needs a type and a name (pkg:type/name@version).";
            return false;
        }
        var type = parts[0].ToLowerInvariant();
        var name = Uri.UnescapeDataString(parts[^1]);
        var ns = parts.Length > 2 ? string.Join('/', parts[1..^1].Select(Uri.UnescapeDataString)) : null;
        parsed = new PackageUrl(type, ns, name, string.IsNullOrEmpty(version) ? null : version);
        error = null;
        return true;
    }
}
