using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.Workers.Packages.Osv;

/// <summary>
/// Decides whether a package version is affected by an advisory, following the OSV schema's evaluation:
/// a version is affected when an <c>affected</c> entry names the package and either lists the version
/// explicitly or one of its ranges contains it.
/// </summary>
/// <remarks>
/// Range evaluation: <c>SEMVER</c> ranges are ordered as SemVer 2.0, <c>ECOSYSTEM</c> ranges by the package
/// ecosystem's <see cref="IVersionScheme"/>, <c>GIT</c> ranges are ignored (they need commit graphs). Events are
/// sorted by version; <c>introduced: "0"</c> means "from the first version"; <c>fixed</c> is exclusive,
/// <c>last_affected</c> inclusive, and a version at or above every <c>limit</c> of a range is outside it.
/// Fallbacks, chosen so that bad data never throws in the middle of a scan: an ecosystem without a scheme and
/// a version the scheme cannot parse are matched only against the explicit <c>versions</c> list (by string);
/// an event whose version does not parse is skipped. A withdrawn record affects nothing.
/// Names: PyPI names are compared after PEP 503 normalization, NuGet ids case-insensitively (NuGet itself
/// treats them so), all others exactly. Ecosystem names are compared case-insensitively.
/// </remarks>
public static class OsvMatcher
{
    /// <summary>True when <paramref name="package"/> is affected by <paramref name="record"/>.</summary>
    public static bool IsAffected(OsvRecord record, PackageRef package)
    {
        if (record.Withdrawn is not null)
        {
            return false;
        }

        VersionSchemes.TryGet(package.Ecosystem, out var scheme);
        var ecosystemVersionValid = scheme is not null && scheme.TryParse(package.Version, out _);
        var semVerValid = VersionSchemes.SemVer.TryParse(package.Version, out _);

        foreach (var affected in record.Affected)
        {
            if (affected.Package is not { } p || !SamePackage(p, package))
            {
                continue;
            }

            if (affected.Versions.Any(v => SameVersion(v, package.Version, ecosystemVersionValid ? scheme : null)))
            {
                return true;
            }

            foreach (var range in affected.Ranges)
            {
                var rangeScheme = range.Type switch
                {
                    "SEMVER" when semVerValid => VersionSchemes.SemVer,
                    "ECOSYSTEM" when ecosystemVersionValid => scheme,
                    _ => null, // GIT, unknown types, or a version this range cannot order
                };
                if (rangeScheme is not null && InRange(range, package.Version, rangeScheme))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The records of <paramref name="records"/> that affect <paramref name="package"/>.</summary>
    public static IEnumerable<OsvRecord> Matching(IEnumerable<OsvRecord> records, PackageRef package) =>
        records.Where(r => IsAffected(r, package));

    /// <summary>
    /// The name as OSV compares it in <paramref name="ecosystem"/>: PEP 503 for PyPI (lowercase, runs of
    /// <c>-</c>, <c>_</c>, <c>.</c> become one <c>-</c>), lowercase for NuGet, unchanged otherwise.
    /// Useful as a database key.
    /// </summary>
    public static string NormalizeName(string ecosystem, string name)
    {
        if (ecosystem.Equals("PyPI", StringComparison.OrdinalIgnoreCase))
        {
            var chars = new System.Text.StringBuilder(name.Length);
            foreach (var c in name.Trim())
            {
                var separator = c is '-' or '_' or '.';
                if (!separator)
                {
                    chars.Append(char.ToLowerInvariant(c));
                }
                else if (chars.Length == 0 || chars[^1] != '-')
                {
                    chars.Append('-');
                }
            }

            return chars.ToString();
        }

        return ecosystem.Equals("NuGet", StringComparison.OrdinalIgnoreCase) ? name.ToLowerInvariant() : name;
    }

    private static bool SamePackage(OsvPackage p, PackageRef package) =>
        string.Equals(p.Ecosystem, package.Ecosystem, StringComparison.OrdinalIgnoreCase)
        && string.Equals(NormalizeName(p.Ecosystem, p.Name), NormalizeName(package.Ecosystem, package.Name), StringComparison.Ordinal);

    private static bool SameVersion(string listed, string version, IVersionScheme? scheme) =>
        string.Equals(listed, version, StringComparison.Ordinal)
        || (scheme is not null && scheme.TryParse(listed, out _) && scheme.Compare(listed, version) == 0);

    private static bool InRange(OsvRange range, string version, IVersionScheme scheme)
    {
        var valid = range.Events.Where(e => IsZero(e.Introduced) || scheme.TryParse(EventVersion(e), out _)).ToList();

        var limits = valid.Where(e => e.Limit is not null).ToList();
        if (limits.Count > 0 && limits.All(e => scheme.Compare(version, e.Limit!) >= 0))
        {
            return false;
        }

        valid.Sort((a, b) => (IsZero(a.Introduced), IsZero(b.Introduced)) switch
        {
            (true, true) => 0,
            (true, false) => -1,
            (false, true) => 1,
            _ => scheme.Compare(EventVersion(a), EventVersion(b)),
        });

        // The last event at or below the version decides, because the events are sorted.
        var affected = false;
        foreach (var e in valid)
        {
            if (e.Introduced is { } introduced)
            {
                if (IsZero(introduced) || scheme.Compare(version, introduced) >= 0)
                {
                    affected = true;
                }
            }
            else if (e.Fixed is { } fixedVersion)
            {
                if (scheme.Compare(version, fixedVersion) >= 0)
                {
                    affected = false;
                }
            }
            else if (e.LastAffected is { } lastAffected && scheme.Compare(version, lastAffected) > 0)
            {
                affected = false;
            }
        }

        return affected;
    }

    private static bool IsZero(string? introduced) => introduced == "0";

    private static string EventVersion(OsvEvent e) => e.Introduced ?? e.Fixed ?? e.LastAffected ?? e.Limit ?? "";
}
