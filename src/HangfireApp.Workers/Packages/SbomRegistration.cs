using System.Text.Json;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Packages.Sbom;

namespace HangfireApp.Workers.Packages;

/// <summary>The packages of a CycloneDX JSON SBOM to register, read with <see cref="CycloneDxReader"/>.</summary>
public static class SbomRegistration
{
    public static bool IsCycloneDx(JsonElement root) =>
        root.ValueKind == JsonValueKind.Object && root.TryGetProperty("bomFormat", out var format)
        && format.ValueKind == JsonValueKind.String && format.GetString() == "CycloneDX";

    /// <summary>
    /// The SBOM's components as packages to register, each with <paramref name="priority"/>. A component with
    /// an invalid purl makes the whole SBOM a 400 naming it; components without a purl, of an ecosystem not
    /// scanned here (e.g. Maven), or without a version are skipped and reported.
    /// </summary>
    public static (IReadOnlyList<PackageInput?> Packages, IReadOnlyList<string> Skipped) Read(JsonElement root, string source, string? priority)
    {
        SbomPackages sbom;
        try
        {
            sbom = CycloneDxReader.Read(root.GetRawText());
        }
        catch (FormatException e)
        {
            throw BatchRequestException.Field(source, e.Message);
        }
        var invalid = sbom.Skipped.Where(component => component.Reason == "invalid purl").ToList();
        if (invalid.Count > 0)
        {
            throw new BatchRequestException($"{invalid.Count} SBOM component(s) have an invalid package URL; nothing was registered.",
                invalid.Select((component, i) => (Key: $"{source}.components[{component.Name ?? i.ToString(System.Globalization.CultureInfo.InvariantCulture)}]",
                        Message: $"purl '{component.Purl}' is not a valid package URL."))
                    .GroupBy(error => error.Key).ToDictionary(group => group.Key, group => group.Select(error => error.Message).ToArray()));
        }
        var packages = new List<PackageInput?>();
        var skipped = sbom.Skipped.Select(component => $"{component.Purl ?? component.Name ?? "?"}: {component.Reason}").ToList();
        foreach (var package in sbom.Packages)
        {
            if (PackageNames.CanonicalEcosystem(package.Ecosystem) is null)
            {
                skipped.Add($"{package.Ecosystem}/{package.Name}@{package.Version}: ecosystem not scanned here");
                continue;
            }
            packages.Add(new PackageInput(package.Ecosystem, package.Name, package.Version, priority));
        }
        if (packages.Count == 0)
        {
            throw BatchRequestException.Field(source, $"The SBOM has no component with a package URL of a scanned ecosystem ({string.Join(", ", PackageNames.Ecosystems)}).");
        }
        return (packages, skipped);
    }
}
