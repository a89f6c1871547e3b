using HangfireApp.Workers.Packages.Osv;
using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>
/// <see cref="IAdvisoryMatcher"/> on the OSV parser and matcher: whether the record affects the version, and
/// the lowest <c>fixed</c> version above it among the package's ranges (what to upgrade to).
/// </summary>
public sealed class OsvAdvisoryMatcher : IAdvisoryMatcher
{
    public AdvisoryMatch? Match(string recordJson, ScanTarget target)
    {
        var osv = OsvParser.Parse(recordJson).Single();
        var package = new PackageRef(target.Ecosystem, target.Name, target.Version);
        return OsvMatcher.IsAffected(osv, package) ? new AdvisoryMatch(FixedIn(osv, package)) : null;
    }

    private static string? FixedIn(OsvRecord record, PackageRef package)
    {
        if (!VersionSchemes.TryGet(package.Ecosystem, out var scheme) || !scheme.TryParse(package.Version, out _))
        {
            return null;
        }
        var key = OsvMatcher.NormalizeName(package.Ecosystem, package.Name);
        var candidates = record.Affected
            .Where(affected => affected.Package is { } p && string.Equals(p.Ecosystem, package.Ecosystem, StringComparison.OrdinalIgnoreCase)
                && OsvMatcher.NormalizeName(p.Ecosystem, p.Name) == key)
            .SelectMany(affected => affected.Ranges)
            .SelectMany(range => range.Events)
            .Select(e => e.Fixed)
            .OfType<string>()
            .Where(version => scheme.TryParse(version, out _) && scheme.Compare(version, package.Version) > 0)
            .ToList();
        candidates.Sort(scheme.Compare);
        return candidates.FirstOrDefault();
    }
}
