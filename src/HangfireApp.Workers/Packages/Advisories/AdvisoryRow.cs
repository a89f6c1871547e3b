using System.Globalization;
using System.Text.Json;

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
    /// <summary>Reads one OSV record; throws <see cref="FormatException"/> saying what is wrong with it.</summary>
    public static AdvisoryRow From(JsonElement record)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"an OSV record must be a JSON object, not {record.ValueKind}.");
        }
        var id = Text(record, "id");
        if (string.IsNullOrWhiteSpace(id) || id.Length > 200)
        {
            throw new FormatException("'id' is required (a string of at most 200 characters).");
        }
        var modified = Time(record, "modified", id) ?? throw new FormatException($"{id}: 'modified' is required (an RFC 3339 time).");
        var packages = new HashSet<(string, string)>();
        if (record.TryGetProperty("affected", out var affected))
        {
            if (affected.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{id}: 'affected' must be an array.");
            }
            foreach (var entry in affected.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("package", out var package)
                    && package.ValueKind == JsonValueKind.Object
                    && Text(package, "ecosystem") is { } ecosystem && Text(package, "name") is { Length: > 0 } name)
                {
                    // Only the part before ':' names the ecosystem ("Debian:11"); ours are spelled without a suffix.
                    var canonical = PackageNames.CanonicalEcosystem(ecosystem) ?? ecosystem.Split(':')[0];
                    packages.Add((canonical, PackageNames.NameKey(canonical, name)));
                }
            }
        }
        var aliases = record.TryGetProperty("aliases", out var list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().Where(alias => alias.ValueKind == JsonValueKind.String).Select(alias => alias.GetString()!).ToList()
            : [];
        return new AdvisoryRow(id, modified, Time(record, "published", id), Time(record, "withdrawn", id),
            Text(record, "summary") ?? Truncate(Text(record, "details"), 300), SeverityOf(record), aliases, [.. packages], record.GetRawText());
    }

    /// <summary>
    /// The advisory's severity as a level: the database's own rating (GHSA's <c>database_specific.severity</c>,
    /// or an <c>ecosystem_specific</c> one), else computed from a CVSS v3 vector.
    /// </summary>
    public static string? SeverityOf(JsonElement record)
    {
        if (record.TryGetProperty("database_specific", out var database) && database.ValueKind == JsonValueKind.Object
            && Text(database, "severity") is { Length: > 0 } rated)
        {
            return Level(rated);
        }
        if (record.TryGetProperty("affected", out var affected) && affected.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in affected.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("ecosystem_specific", out var specific)
                    && specific.ValueKind == JsonValueKind.Object && Text(specific, "severity") is { Length: > 0 } level)
                {
                    return Level(level);
                }
            }
        }
        if (record.TryGetProperty("severity", out var severities) && severities.ValueKind == JsonValueKind.Array)
        {
            foreach (var severity in severities.EnumerateArray())
            {
                if (severity.ValueKind == JsonValueKind.Object && Text(severity, "score") is { } vector && CvssV3.TryBaseScore(vector, out var score))
                {
                    return CvssV3.Rating(score);
                }
            }
        }
        return null;
    }

    private static string Level(string rated) => rated.ToUpperInvariant() switch
    {
        "MODERATE" => "MEDIUM",
        var level => level,
    };

    private static string? Text(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Time(JsonElement element, string property, string id)
    {
        var text = Text(element, property);
        if (text is null)
        {
            return null;
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToUniversalTime()
            : throw new FormatException($"{id}: '{property}' is not an RFC 3339 time ('{text}').");
    }

    private static string? Truncate(string? text, int length) => text is null || text.Length <= length ? text : text[..length] + "…";
}
