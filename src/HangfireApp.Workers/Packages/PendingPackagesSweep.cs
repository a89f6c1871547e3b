using System.ComponentModel;
using System.Text.Json;
using Hangfire;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages;

/// <summary>A package taken by a claim: its id and the priority its batch gets.</summary>
public sealed record ClaimedPackage(long Id, string Priority);

/// <summary>What one sweep did: the packages it claimed and the batches it submitted for them.</summary>
public sealed record SweepResult(int Claimed, IReadOnlyList<long> BatchIds);

/// <summary>
/// The <c>pending-packages</c> sweep, run by its cron and at once whenever packages become pending
/// (<see cref="PackageScanTrigger"/>). It keeps taking pending packages until none is left, in rounds: each round,
/// in one transaction, claims pending packages (high priority first, then oldest) with <c>FOR UPDATE SKIP
/// LOCKED</c>, submits them as a batch through the engine and marks them <c>queued</c> by that batch in one
/// statement. The first round takes one chunk's worth (the worker type's <c>ChunkSize</c>), so scanning starts at
/// once; each later round takes twice as many chunks as the last (up to <c>SweepBatchChunks</c>) as one batch,
/// whose chunks are all queued together and start on every free worker at once, instead of one batch per chunk
/// created one after another. The status change, the batch, its items, chunks and Hangfire jobs commit together or not at all; two
/// sweeps at once never take the same package. One run takes at most <c>MaxPackagesPerCycle</c> packages, then
/// hands over to a new run.
/// </summary>
public sealed partial class PendingPackagesSweep(
    NpgsqlDataSource dataSource,
    BatchSubmitter submitter,
    WorkerTypeRegistry workerTypes,
    PackageScanTrigger trigger,
    IOptions<PackagesOptions> options,
    ILogger<PendingPackagesSweep> logger)
{
    public const string RecurringJobId = "pending-packages";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Sweep: pending packages")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var result = await SweepAsync(cancellationToken);
        if (result.Claimed > 0)
        {
            LogSwept(logger, result.Claimed, result.BatchIds);
        }
    }

    public async Task<SweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        var chunkSize = workerTypes.Get(PackagesWorkerType.Name).Options.ChunkSize;
        var budget = options.Value.MaxPackagesPerCycle;
        var claimedTotal = 0;
        var batchIds = new List<long>();
        var chunks = 1;
        while (claimedTotal < budget)
        {
            var (claimed, batches) = await SweepRoundAsync((int)Math.Min((long)chunkSize * chunks, budget - claimedTotal), cancellationToken);
            // Each round is twice the last (up to SweepBatchChunks chunks): the chunks already queued keep the workers
            // busy while the next, larger round is written, and the rounds stay few.
            chunks = Math.Min(chunks * 2, options.Value.SweepBatchChunks);
            claimedTotal += claimed;
            batchIds.AddRange(batches);
            if (claimed == 0)
            {
                return new SweepResult(claimedTotal, batchIds);
            }
        }
        // The budget is spent and more may be pending: a new run goes on, so one run never holds a worker for ever.
        trigger.ScanPending();
        return new SweepResult(claimedTotal, batchIds);
    }

    private async Task<(int Claimed, List<long> BatchIds)> SweepRoundAsync(int max, CancellationToken cancellationToken)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var claimed = await ClaimAsync(transaction, max, cancellationToken);
        var batchIds = new List<long>();
        if (claimed.Count == 0)
        {
            return (0, batchIds);
        }
        // One batch per priority present (usually one), so high-priority packages run on the high queue.
        foreach (var group in claimed.GroupBy(package => package.Priority).OrderBy(group => PackageRegistration.PriorityRank(group.Key)))
        {
            var ids = group.Select(package => package.Id).ToArray();
            batchIds.Add(await SubmitAsync(transaction, submitter, ids, Priorities.Parse(group.Key), $"pending-packages sweep: {ids.Length} package(s)", cancellationToken));
        }
        transaction.Complete();
        return (claimed.Count, batchIds);
    }

    /// <summary>
    /// Claims pending packages inside <paramref name="transaction"/>: locks them until it ends and returns them in
    /// scan order. Rows another transaction holds are skipped, not waited for. Nothing is written yet: the batch's
    /// submit marks them <c>queued</c> by their batch in one update (<see cref="SubmitAsync"/>), so each claimed
    /// row is rewritten (with its indexes) once rather than twice.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimedPackage>> ClaimAsync(AppTransaction transaction, int max, CancellationToken cancellationToken)
    {
        await using var claim = transaction.Command("""
            select id, priority from app.packages
            where status = 'pending'
            order by (case priority when 'high' then 1 when 'normal' then 2 else 3 end), requested_at, id
            limit @max
            for update skip locked
            """);
        claim.Parameters.AddWithValue("max", max);
        var claimed = new List<ClaimedPackage>();
        await using var reader = await claim.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedPackage(reader.GetInt64(0), reader.GetString(1)));
        }
        return claimed;
    }

    /// <summary>Submits a <c>packages</c> batch for the given (already claimed) packages in the caller's transaction
    /// and marks them <c>queued</c> by it.</summary>
    public static async Task<long> SubmitAsync(AppTransaction transaction, BatchSubmitter submitter, IReadOnlyList<long> packageIds, Priority priority, string description, CancellationToken cancellationToken)
    {
        var items = packageIds.Select(id => JsonSerializer.SerializeToElement(new PackageItem(id), PackageItem.Json)).ToList();
        var result = await submitter.SubmitAsync(transaction, new SubmitBatch(PackagesWorkerType.Name, items, Priority: priority, Description: description), cancellationToken);
        await using var mark = transaction.Command("update app.packages set status = 'queued', last_error = null, last_batch_id = @batch where id = any(@ids)");
        mark.Parameters.AddWithValue("batch", result.BatchId);
        mark.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, packageIds.ToArray());
        await mark.ExecuteNonQueryAsync(cancellationToken);
        return result.BatchId;
    }

    public static async Task MarkBatchAsync(AppTransaction transaction, IReadOnlyList<long> packageIds, long batchId, CancellationToken cancellationToken)
    {
        await using var mark = transaction.Command("update app.packages set last_batch_id = @batch where id = any(@ids)");
        mark.Parameters.AddWithValue("batch", batchId);
        mark.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, packageIds.ToArray());
        await mark.ExecuteNonQueryAsync(cancellationToken);
    }

    [LoggerMessage(EventId = WorkerLogEventIds.PendingPackagesSweepSwept, Level = LogLevel.Information, Message = "pending-packages: claimed {Count} package(s) into batch(es) {BatchIds}")]
    private static partial void LogSwept(ILogger logger, int count, IReadOnlyList<long> batchIds);
}
