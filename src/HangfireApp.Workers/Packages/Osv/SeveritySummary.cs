using System.Globalization;
using System.Text.Json;

namespace HangfireApp.Workers.Packages.Osv;

/// <summary>A coarse severity label, ordered from least to most severe.</summary>
public enum SeverityLevel
{
    Unknown = 0,
    Low = 1,
    Moderate = 2,
    High = 3,
    Critical = 4,
}

/// <summary>A record's severity: the label, the CVSS base score when one was computed, and where it came from.</summary>
public sealed record SeverityRating(SeverityLevel Level, double? Score, string Source);

/// <summary>Summarizes an OSV record's severity into one label for reports and sorting.</summary>
public static class SeveritySummary
{
    /// <summary>
    /// The label of <paramref name="record"/>. Precedence: <c>database_specific.severity</c> (GitHub's reviewed
    /// label: CRITICAL, HIGH, MODERATE or MEDIUM, LOW), then the highest CVSS v3 base score among the record's
    /// and its affected entries' <c>severity</c> entries (v4 vectors are not scored), else Unknown.
    /// Score bands are CVSS's: 9.0+ Critical, 7.0+ High, 4.0+ Moderate, 0.1+ Low.
    /// </summary>
    public static SeverityRating Rate(OsvRecord record)
    {
        if (record.DatabaseSpecific is { ValueKind: JsonValueKind.Object } specific
            && specific.TryGetProperty("severity", out var label)
            && label.ValueKind == JsonValueKind.String
            && FromLabel(label.GetString()) is { } level)
        {
            return new SeverityRating(level, BestScore(record), "database_specific");
        }

        return BestScore(record) is { } score
            ? new SeverityRating(FromScore(score), score, "cvss_v3")
            : new SeverityRating(SeverityLevel.Unknown, null, "none");
    }

    /// <summary>The CVSS band of a base score.</summary>
    public static SeverityLevel FromScore(double score) => score switch
    {
        >= 9.0 => SeverityLevel.Critical,
        >= 7.0 => SeverityLevel.High,
        >= 4.0 => SeverityLevel.Moderate,
        > 0.0 => SeverityLevel.Low,
        _ => SeverityLevel.Unknown,
    };

    private static SeverityLevel? FromLabel(string? label) => label?.Trim().ToUpperInvariant() switch
    {
        "CRITICAL" => SeverityLevel.Critical,
        "HIGH" => SeverityLevel.High,
        "MODERATE" or "MEDIUM" => SeverityLevel.Moderate,
        "LOW" => SeverityLevel.Low,
        _ => null,
    };

    private static double? BestScore(OsvRecord record)
    {
        double? best = null;
        foreach (var s in record.Severity.Concat(record.Affected.SelectMany(a => a.Severity)))
        {
            double? score = null;
            if (s.Type is "CVSS_V3" && Cvss3.TryBaseScore(s.Score, out var computed))
            {
                score = computed;
            }
            else if (double.TryParse(s.Score, NumberStyles.Float, CultureInfo.InvariantCulture, out var plain))
            {
                score = plain; // some databases publish a bare number
            }

            if (score > (best ?? -1))
            {
                best = score;
            }
        }

        return best;
    }
}
