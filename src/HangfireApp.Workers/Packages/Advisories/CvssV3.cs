namespace HangfireApp.Workers.Packages.Advisories;

/// <summary>The CVSS v3.0/v3.1 base score of a vector (<c>CVSS:3.1/AV:N/AC:L/…</c>), per the FIRST specification.</summary>
public static class CvssV3
{
    public static bool TryBaseScore(string vector, out double score)
    {
        score = 0;
        if (!vector.StartsWith("CVSS:3.", StringComparison.Ordinal))
        {
            return false;
        }
        var metrics = vector.Split('/').Skip(1).Select(part => part.Split(':')).Where(pair => pair.Length == 2)
            .GroupBy(pair => pair[0], StringComparer.Ordinal).ToDictionary(group => group.Key, group => group.First()[1], StringComparer.Ordinal);
        if (!(metrics.TryGetValue("AV", out var av) && metrics.TryGetValue("AC", out var ac) && metrics.TryGetValue("PR", out var pr)
            && metrics.TryGetValue("UI", out var ui) && metrics.TryGetValue("S", out var s) && metrics.TryGetValue("C", out var c)
            && metrics.TryGetValue("I", out var i) && metrics.TryGetValue("A", out var a)))
        {
            return false;
        }
        var changed = s == "C";
        double? attackVector = av switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null };
        double? complexity = ac switch { "L" => 0.77, "H" => 0.44, _ => null };
        double? privileges = pr switch { "N" => 0.85, "L" => changed ? 0.68 : 0.62, "H" => changed ? 0.5 : 0.27, _ => null };
        double? interaction = ui switch { "N" => 0.85, "R" => 0.62, _ => null };
        double? Impact(string value) => value switch { "H" => 0.56, "L" => 0.22, "N" => 0, _ => null };
        if (attackVector is null || complexity is null || privileges is null || interaction is null
            || Impact(c) is not { } conf || Impact(i) is not { } integ || Impact(a) is not { } avail || s is not ("U" or "C"))
        {
            return false;
        }
        var iss = 1 - ((1 - conf) * (1 - integ) * (1 - avail));
        var impact = changed ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15)) : 6.42 * iss;
        var exploitability = 8.22 * attackVector.Value * complexity.Value * privileges.Value * interaction.Value;
        score = impact <= 0 ? 0 : RoundUp(Math.Min(changed ? 1.08 * (impact + exploitability) : impact + exploitability, 10));
        return true;
    }

    public static string Rating(double score) => score switch
    {
        0 => "NONE",
        < 4 => "LOW",
        < 7 => "MEDIUM",
        < 9 => "HIGH",
        _ => "CRITICAL",
    };

    /// <summary>CVSS 3.1's Roundup: the smallest one-decimal number not below the input, free of float noise.</summary>
    private static double RoundUp(double value)
    {
        var integer = (long)Math.Round(value * 100_000);
        return integer % 10_000 == 0 ? integer / 100_000.0 : (Math.Floor(integer / 10_000.0) + 1) / 10.0;
    }
}
