using System.Text.Json;
using HangfireApp.Batches.Input;

namespace HangfireApp.Workers.Packages.Sbom;

/// <summary>A component the reader could not turn into a package, and why.</summary>
public sealed record SkippedComponent(string? Name, string? Version, string? Purl, string Reason);

/// <summary>The packages found in an SBOM (distinct, in document order) and the components skipped.</summary>
public sealed record SbomPackages(IReadOnlyList<PackageRef> Packages, IReadOnlyList<SkippedComponent> Skipped);

/// <summary>
/// Reads the components of a CycloneDX JSON SBOM (any spec version 1.x) as OSV packages, using each
/// component's <c>purl</c>. Nested <c>components</c> are included; <c>metadata.component</c> (the subject of the
/// SBOM, not a dependency) is not. Components without a usable purl are reported in
/// <see cref="SbomPackages.Skipped"/> instead of failing the whole document.
/// </summary>
public static class CycloneDxReader
{
    /// <summary>Reads an SBOM from a UTF-8 JSON stream.</summary>
    /// <exception cref="JsonException">The stream is not JSON.</exception>
    /// <exception cref="FormatException">The JSON is not a CycloneDX BOM.</exception>
    public static async Task<SbomPackages> ReadAsync(Stream utf8Json, CancellationToken cancellationToken = default)
    {
        using var doc = await JsonDocument.ParseAsync(utf8Json, default, cancellationToken);
        return Read(doc.RootElement);
    }

    /// <summary>Reads an SBOM from a JSON string.</summary>
    /// <exception cref="JsonException">The text is not JSON.</exception>
    /// <exception cref="FormatException">The JSON is not a CycloneDX BOM.</exception>
    public static SbomPackages Read(string json)
    {
        // A string may hold a lone surrogate (no JSON text can: System.Text.Json would throw an ArgumentException) or a NUL.
        if (TextRules.Problem(json) is { } textProblem)
        {
            throw new FormatException($"Not a CycloneDX JSON BOM: the text {textProblem}");
        }
        using var doc = JsonDocument.Parse(json);
        return Read(doc.RootElement);
    }

    private static SbomPackages Read(JsonElement root)
    {
        // The engine's text rule first: a purl with a NUL or a lone surrogate would throw on read or fail in PostgreSQL.
        if (JsonElementText.Problem(root) is { } textProblem)
        {
            throw new FormatException($"{textProblem.Path} {textProblem.Message}");
        }
        if (root.ValueKind != JsonValueKind.Object
            || !root.TryGetProperty("bomFormat", out var format)
            || format.ValueKind != JsonValueKind.String
            || format.GetString() != "CycloneDX")
        {
            throw new FormatException("Not a CycloneDX JSON BOM: expected \"bomFormat\": \"CycloneDX\".");
        }

        var packages = new List<PackageRef>();
        var seen = new HashSet<PackageRef>();
        var skipped = new List<SkippedComponent>();
        Walk(root, packages, seen, skipped);
        return new SbomPackages(packages, skipped);
    }

    private static void Walk(JsonElement parent, List<PackageRef> packages, HashSet<PackageRef> seen, List<SkippedComponent> skipped)
    {
        if (!parent.TryGetProperty("components", out var components) || components.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var component in components.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.Object))
        {
            var name = Text(component, "name");
            var version = Text(component, "version");
            var purlText = Text(component, "purl");
            if (purlText is null)
            {
                skipped.Add(new SkippedComponent(name, version, null, "no purl"));
            }
            else if (!PackageUrl.TryParse(purlText, out var purl))
            {
                skipped.Add(new SkippedComponent(name, version, purlText, "invalid purl"));
            }
            else if (!PackageUrl.SupportedTypes.Contains(purl.Type))
            {
                skipped.Add(new SkippedComponent(name, version, purlText, $"unsupported purl type '{purl.Type}'"));
            }
            else if ((purl.Version is null ? purl with { Version = version } : purl).ToPackageRef() is { } package)
            {
                if (seen.Add(package))
                {
                    packages.Add(package);
                }
            }
            else
            {
                skipped.Add(new SkippedComponent(name, version, purlText, "no version"));
            }

            Walk(component, packages, seen, skipped);
        }
    }

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            && !string.IsNullOrWhiteSpace(value.GetString())
            ? value.GetString()
            : null;
}
