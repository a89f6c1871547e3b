using System.Text.Json;
using HangfireApp.Batches.Submit;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// The packages of a CycloneDX JSON SBOM: every component (nested ones too) whose package URL names a
/// supported ecosystem (<c>pkg:npm</c>, <c>pkg:cargo</c>, <c>pkg:nuget</c>, <c>pkg:pypi</c>, <c>pkg:golang</c>) and a version.
/// Components of other types (e.g. <c>pkg:maven</c>) or without a purl are not packages to scan here and are left out.
/// </summary>
public static class SbomPackages
{
    public static bool IsCycloneDx(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("bomFormat", out var format)
        && format.ValueKind == JsonValueKind.String && format.GetString() == "CycloneDX";

    public static IReadOnlyList<PackageInput?> Read(JsonElement root, string? priority)
    {
        var packages = new List<PackageInput?>();
        var errors = new Dictionary<string, string[]>();
        if (root.TryGetProperty("components", out var components))
        {
            Walk(components, "components", packages, errors, priority);
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"{errors.Count} SBOM component(s) are invalid; nothing was registered.", errors);
        }
        if (packages.Count == 0)
        {
            throw BatchRequestException.Field("components", "The SBOM has no component with a package URL of a supported ecosystem (npm, cargo, nuget, pypi, golang).");
        }
        return packages;
    }

    private static void Walk(JsonElement components, string path, List<PackageInput?> packages, Dictionary<string, string[]> errors, string? priority)
    {
        if (components.ValueKind != JsonValueKind.Array)
        {
            errors[path] = [$"{path} must be an array."];
            return;
        }
        var index = 0;
        foreach (var component in components.EnumerateArray())
        {
            var here = $"{path}[{index++}]";
            if (component.ValueKind != JsonValueKind.Object)
            {
                errors[here] = [$"{here} must be an object."];
                continue;
            }
            if (component.TryGetProperty("purl", out var purlElement) && purlElement.ValueKind == JsonValueKind.String)
            {
                var purl = purlElement.GetString()!;
                if (!PackageUrl.TryParse(purl, out var parsed, out var error))
                {
                    errors[here] = [$"{here}: purl '{purl}' is invalid: {error}"];
                }
                else if (PackageNames.CanonicalEcosystem(parsed.Type) is { } ecosystem)
                {
                    var version = parsed.Version ?? (component.TryGetProperty("version", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null);
                    packages.Add(new PackageInput(ecosystem, parsed.FullName(ecosystem), version, priority));
                }
            }
            if (component.TryGetProperty("components", out var nested))
            {
                Walk(nested, $"{here}.components", packages, errors, priority);
            }
        }
    }
}
