using HangfireApp.Batches.Submit;

namespace HangfireApp.Workers.Packages;

/// <summary>A package as a client registers it: <c>{ecosystem, name, version, priority?}</c>.</summary>
public sealed record PackageInput(string? Ecosystem, string? Name, string? Version, string? Priority);

/// <summary>A validated package, its ecosystem in OSV spelling and its name's match key.</summary>
public sealed record PackageSpec(string Ecosystem, string Name, string NameKey, string Version, string Priority);

/// <summary>Validates and merges what a client registers, before anything is written.</summary>
public static class PackageRegistration
{
    public const int MaxPackagesPerRequest = 100_000;

    /// <summary>
    /// Checks every entry and merges duplicates (same ecosystem, name key and version; the highest priority
    /// wins). Throws a <see cref="BatchRequestException"/> (400) naming each bad entry by its index.
    /// </summary>
    public static IReadOnlyList<PackageSpec> Validate(IReadOnlyList<PackageInput?>? inputs, string field = "packages")
    {
        if (inputs is null || inputs.Count == 0)
        {
            throw BatchRequestException.Field(field, "At least one package is required.");
        }
        if (inputs.Count > MaxPackagesPerRequest)
        {
            throw BatchRequestException.Field(field, $"At most {MaxPackagesPerRequest} packages per request (got {inputs.Count}).", 413);
        }
        var errors = new Dictionary<string, string[]>();
        var merged = new Dictionary<(string, string, string), PackageSpec>();
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var problems = new List<string>();
            var ecosystem = PackageNames.CanonicalEcosystem(input?.Ecosystem);
            if (ecosystem is null)
            {
                problems.Add($"ecosystem '{input?.Ecosystem}' is not supported; use one of {string.Join(", ", PackageNames.Ecosystems)}.");
            }
            var name = input?.Name?.Trim();
            if (string.IsNullOrEmpty(name) || name.Length > 300)
            {
                problems.Add("name is required (at most 300 characters).");
            }
            var version = input?.Version?.Trim();
            if (string.IsNullOrEmpty(version) || version.Length > 100)
            {
                problems.Add("version is required (at most 100 characters).");
            }
            if (!Priorities.TryParse(input?.Priority, out var priority))
            {
                problems.Add("priority must be high, normal or low.");
            }
            if (problems.Count > 0)
            {
                errors[$"{field}[{i}]"] = [.. problems.Select(problem => $"{Describe(input)}: {problem}")];
                continue;
            }
            var spec = new PackageSpec(ecosystem!, name!, PackageNames.NameKey(ecosystem!, name!), version!, Priorities.ToText(priority));
            var key = (spec.Ecosystem, spec.NameKey, spec.Version);
            if (!merged.TryGetValue(key, out var existing) || PriorityRank(spec.Priority) < PriorityRank(existing.Priority))
            {
                merged[key] = existing is null ? spec : existing with { Priority = spec.Priority };
            }
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"{errors.Count} package(s) are invalid; nothing was registered.", errors);
        }
        return [.. merged.Values];
    }

    public static int PriorityRank(string priority) => priority switch
    {
        "high" => 1,
        "normal" => 2,
        _ => 3,
    };

    private static string Describe(PackageInput? input) =>
        input is null ? "null entry" : $"{input.Ecosystem ?? "?"}/{input.Name ?? "?"}@{input.Version ?? "?"}";
}
