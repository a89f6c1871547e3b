using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Osv;

/// <summary>
/// The CVSS v3.x base score of a vector such as <c>CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H</c> (9.8), by
/// the formulas of the CVSS v3.1 specification (section 7.1 and appendix A's Roundup). v3.0 vectors are
/// scored with the same formulas; their rounding differs from v3.1 only in rare floating-point edge cases.
/// </summary>
public static class Cvss3
{
    /// <summary>Computes the base score (0.0–10.0, one decimal); false when the vector is not a valid v3 base vector.</summary>
    public static bool TryBaseScore(string vector, [NotNullWhen(true)] out double? score)
    {
        score = null;
        var parts = vector.Trim().Split('/');
        if (parts.Length < 9 || parts[0] is not ("CVSS:3.0" or "CVSS:3.1"))
        {
            return false;
        }

        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || !metrics.TryAdd(part[..colon], part[(colon + 1)..]))
            {
                return false; // malformed or repeated metric
            }
        }

        if (!metrics.TryGetValue("S", out var scope) || scope is not ("U" or "C"))
        {
            return false;
        }

        var changed = scope == "C";
        double? av = Metric(metrics, "AV") switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null };
        double? ac = Metric(metrics, "AC") switch { "L" => 0.77, "H" => 0.44, _ => null };
        double? pr = Metric(metrics, "PR") switch { "N" => 0.85, "L" => changed ? 0.68 : 0.62, "H" => changed ? 0.5 : 0.27, _ => null };
        double? ui = Metric(metrics, "UI") switch { "N" => 0.85, "R" => 0.62, _ => null };
        double? c = Cia(Metric(metrics, "C"));
        double? i = Cia(Metric(metrics, "I"));
        double? a = Cia(Metric(metrics, "A"));
        if (av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null)
        {
            return false;
        }

        var iss = 1 - ((1 - c.Value) * (1 - i.Value) * (1 - a.Value));
        var impact = changed ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        var exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        score = impact <= 0
            ? 0.0
            : RoundUp(Math.Min((changed ? 1.08 : 1.0) * (impact + exploitability), 10));
        return true;
    }

    /// <summary>The v3.1 Roundup: the smallest one-decimal number ≥ the input, robust to floating-point noise.</summary>
    private static double RoundUp(double value)
    {
        var integer = (long)Math.Round(value * 100_000);
        return integer % 10_000 == 0 ? integer / 100_000.0 : (Math.Floor(integer / 10_000.0) + 1) / 10.0;
    }

    private static string? Metric(Dictionary<string, string> metrics, string key) => metrics.GetValueOrDefault(key);

    private static double? Cia(string? value) => value switch { "H" => 0.56, "L" => 0.22, "N" => 0.0, _ => null };
}
