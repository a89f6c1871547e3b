namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>A package to scan, as read from <c>app.packages</c>.</summary>
public sealed record ScanTarget(long PackageId, string Ecosystem, string Name, string NameKey, string Version);

/// <summary>One advisory that affects a scanned package.</summary>
public sealed record ScanFinding(string AdvisoryId, string? Severity, IReadOnlyList<string> Aliases, string? Summary, string? FixedIn);

/// <summary>
/// Finds the advisories that affect one package version. Called concurrently for the items of a chunk; must
/// be asynchronous for I/O. Throwing fails the item (it is retried with its chunk). Every advisory a finding
/// names must exist in <c>app.advisories</c> when this returns.
/// </summary>
public interface IPackageScanner
{
    Task<IReadOnlyList<ScanFinding>> ScanAsync(ScanTarget target, CancellationToken cancellationToken);
}
