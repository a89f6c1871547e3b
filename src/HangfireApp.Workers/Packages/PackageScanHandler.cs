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
/// Scans a slice of a chunk's packages at once (a bulk handler). With the local scanner the whole slice takes a
/// fixed number of round trips (<see cref="PackageSliceScanner"/>: one advisory query for all its packages, compiled
/// and cached advisories, one findings insert, one status update). With the external HTTP scanner each package is
/// one rate-limited query, run concurrently within the slice. Every attempt replaces a package's whole set of
/// findings, so a retried or rerun item leaves exactly one set behind; a package that fails, fails alone.
/// </summary>
public sealed class PackageScanHandler(PackageSliceScanner slices, PackageScanStore store, IPackageScanner scanner, IOptions<PackagesOptions> options)
    : IBulkItemHandler
{
    private const int HttpParallelism = 8;

    public async ValueTask<IReadOnlyList<ItemResult>> HandleSliceAsync(IReadOnlyList<WorkItem> slice, CancellationToken cancellationToken)
    {
        var results = new ItemResult[slice.Count];
        var packages = new List<(int Index, long PackageId)>(slice.Count);
        for (var i = 0; i < slice.Count; i++)
        {
            if (PackageIdOf(slice[i]) is { } id)
            {
                packages.Add((i, id));
            }
            else
            {
                results[i] = ItemResult.Failed($"Item {slice[i].ItemNo} is not a package item ({{\"packageId\": …}}).", retryable: false);
            }
        }
        if (packages.Count == 0)
        {
            return results;
        }
        var batchId = slice[0].BatchId;
        if (options.Value.Scanner == ScannerKinds.Local)
        {
            var outcomes = await slices.ScanAsync(batchId, [.. packages.Select(p => p.PackageId)], cancellationToken);
            for (var i = 0; i < packages.Count; i++)
            {
                results[packages[i].Index] = outcomes[i].Result is { } result ? ItemResult.Succeeded(result) : ItemResult.Failed(outcomes[i].Error!);
            }
            return results;
        }
        try
        {
            await Parallel.ForEachAsync(packages, new ParallelOptions { MaxDegreeOfParallelism = HttpParallelism, CancellationToken = cancellationToken },
                async (package, token) => results[package.Index] = await ScanOneAsync(batchId, package.PackageId, token));
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping or past the slice's deadline: what finished stands, the engine decides for the rest.
        }
        return [.. results.Select(result => result ?? ItemResult.Unprocessed)];
    }

    private async Task<ItemResult> ScanOneAsync(long batchId, long packageId, CancellationToken cancellationToken)
    {
        try
        {
            var target = await store.StartAsync(packageId, batchId, cancellationToken)
                ?? throw new InvalidOperationException($"Package {packageId} does not exist (deleted after it was queued).");
            var findings = await scanner.ScanAsync(target, cancellationToken);
            await store.ReplaceFindingsAsync(target.PackageId, findings, cancellationToken);
            return ItemResult.Succeeded(new PackageScanResult(target.PackageId, $"{target.Ecosystem}/{target.Name}@{target.Version}", findings.Count,
                [.. findings.Select(finding => finding.AdvisoryId)], DateTime.UtcNow));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return ItemResult.Failed(e);
        }
    }

    private static long? PackageIdOf(WorkItem item)
    {
        try
        {
            return item.Payload.Deserialize<PackageItem>(PackageItem.Json)?.PackageId;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
