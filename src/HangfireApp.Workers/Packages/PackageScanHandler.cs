using System.Text.Json;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages;

/// <summary>The <c>packages</c> worker type's name.</summary>
public static class PackagesWorkerType
{
    public const string Name = "packages";
}

/// <summary>An item of a <c>packages</c> batch: the id of the package to scan (ids only, never the row).</summary>
public sealed record PackageItem(long PackageId)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>What a scan stores as the item's result.</summary>
public sealed record PackageScanResult(long PackageId, string Package, int Findings, IReadOnlyList<string> AdvisoryIds, DateTime ScannedAt);

/// <summary>
/// Scans one package. With the local scanner it is a slice of one (<see cref="PackageSliceScanner"/>: compiled,
/// cached advisories; findings and status written together). With the external HTTP scanner it marks the package
/// <c>scanning</c>, asks the scanner for the advisories that affect its version, and replaces its findings. Every
/// attempt replaces the whole set, so a retried or rerun item leaves exactly one set behind.
/// </summary>
public sealed class PackageScanHandler(PackageScanStore store, IPackageScanner scanner, PackageSliceScanner slices, IOptions<PackagesOptions> options)
    : ItemHandler<PackageItem, PackageScanResult>
{
    protected override async ValueTask<PackageScanResult> HandleAsync(PackageItem payload, WorkItem item, CancellationToken cancellationToken)
    {
        if (options.Value.Scanner == ScannerKinds.Local)
        {
            var outcome = (await slices.ScanAsync(item.BatchId, [payload.PackageId], cancellationToken))[0];
            return outcome.Result ?? throw outcome.Error!;
        }
        var target = await store.StartAsync(payload.PackageId, item.BatchId, cancellationToken)
            ?? throw new InvalidOperationException($"Package {payload.PackageId} does not exist (deleted after it was queued).");
        var findings = await scanner.ScanAsync(target, cancellationToken);
        await store.ReplaceFindingsAsync(target.PackageId, findings, cancellationToken);
        return new PackageScanResult(target.PackageId, $"{target.Ecosystem}/{target.Name}@{target.Version}", findings.Count,
            [.. findings.Select(finding => finding.AdvisoryId)], DateTime.UtcNow);
    }
}
