using System.Text.Json;
using HangfireApp.Batches.Schedules;
using HangfireApp.Batches.Storage;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// The schedule query <c>rescan-scanned-packages</c>: claims scanned packages (least recently scanned first,
/// skipping rows another transaction holds), marks them <c>queued</c> and gives them to the schedule's batch,
/// e.g. "rescan every scanned package nightly" against the advisories imported since.
/// </summary>
public sealed class RescanScannedPackagesQuery : IScheduleQuery
{
    public const string QueryName = "rescan-scanned-packages";

    public string Name => QueryName;

    public string WorkerType => PackagesWorkerType.Name;

    public async Task<IReadOnlyList<JsonElement>> SelectAsync(AppTransaction transaction, int limit, CancellationToken cancellationToken)
    {
        await using var claim = transaction.Command("""
            with claimed as (
                select id from app.packages where status = 'scanned'
                order by scanned_at nulls first, id
                limit @limit
                for update skip locked
            )
            update app.packages p set status = 'queued'
            from claimed c where p.id = c.id
            returning p.id
            """);
        claim.Parameters.AddWithValue("limit", limit);
        var ids = new List<long>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                ids.Add(reader.GetInt64(0));
            }
        }
        ids.Sort();
        return [.. ids.Select(id => JsonSerializer.SerializeToElement(new PackageItem(id), PackageItem.Json))];
    }

    public Task OnSubmittedAsync(AppTransaction transaction, long batchId, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken) =>
        PendingPackagesSweep.MarkBatchAsync(transaction, [.. items.Select(item => item.GetProperty("packageId").GetInt64())], batchId, cancellationToken);
}
