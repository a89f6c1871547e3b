using System.Text.Json;
using HangfireApp.Batches.Input;
using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.Workers.Packages.Advisories;

/// <summary>An OSV record reduced to what <c>app.advisories</c> and <c>app.advisory_packages</c> store.</summary>
public sealed record AdvisoryRow(
    string Id,
    DateTimeOffset Modified,
    DateTimeOffset? Published,
    DateTimeOffset? Withdrawn,
    string? Summary,
    string? Severity,
    IReadOnlyList<string> Aliases,
    IReadOnlyList<(string Ecosystem, string NameKey)> Packages,
    string Json)
{
    /// <summary>Reads one OSV record with the OSV parser; throws <see cref="FormatException"/> saying what is wrong with it.</summary>
    public static AdvisoryRow From(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"an OSV record must be a JSON object, not {record.ValueKind}.");
        }
        // Before GetRawText: invalid UTF-8 inside the record would throw there, and NUL would fail in the jsonb column.
        if (JsonElementText.Problem(record) is { } textProblem)
        {
            throw new FormatException($"{textProblem.Path} {textProblem.Message}");
        }
        var json = record.GetRawText();
        OsvRecord osv;
        try
        {
            osv = OsvParser.Parse(json).Single();
        }
        catch (OsvFormatException e)
        {
            throw new FormatException(e.Message, e);
        }
        if (string.IsNullOrWhiteSpace(osv.Id) || osv.Id.Length > 200)
        {
            throw new FormatException("'id' is required (a string of at most 200 characters).");
        }
        var modified = osv.Modified ?? throw new FormatException($"{osv.Id}: 'modified' is required (an RFC 3339 time); re-imports are ordered by it.");
        var packages = osv.Affected
            .Select(affected => affected.Package)
            .OfType<OsvPackage>()
            .Where(package => !string.IsNullOrEmpty(package.Name) && !string.IsNullOrEmpty(package.Ecosystem))
            .Select(package => PackageNames.CanonicalEcosystem(package.Ecosystem) is { } ecosystem
                // Only the part before ':' names the ecosystem ("Debian:11"); ours are spelled without a suffix.
                ? (ecosystem, PackageNames.NameKey(ecosystem, package.Name))
                : (package.Ecosystem.Split(':')[0], package.Name))
            .Distinct()
            .ToList();
        var severity = SeveritySummary.Rate(osv).Level;
        return new AdvisoryRow(osv.Id, modified.ToUniversalTime(), osv.Published?.ToUniversalTime(), osv.Withdrawn?.ToUniversalTime(),
            osv.Summary ?? Truncate(osv.Details, 300),
            severity == SeverityLevel.Unknown ? null : severity.ToString().ToUpperInvariant(),
            osv.Aliases, packages, json);
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";
}
