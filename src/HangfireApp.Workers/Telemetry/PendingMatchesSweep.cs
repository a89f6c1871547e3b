using System.ComponentModel;
using System.Text.Json;
using Hangfire;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Telemetry.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Workers.Telemetry;

/// <summary>What one sweep did: the matches it claimed and the batch it submitted for them (null when none).</summary>
public sealed record MatchSweepResult(int Claimed, long? BatchId);

/// <summary>
/// The recurring <c>pending-matches</c> sweep, also run right after each registration: in one transaction, claims up
/// to <c>MaxMatchesPerCycle</c> pending matches (oldest request first) with <c>FOR UPDATE SKIP LOCKED</c>, marks them
/// <c>queued</c> and submits them as one batch (one item per match, the largest stored files first:
/// <see cref="LargestFirst"/>; one chunk for each telemetry worker, up to <c>ChunkSize</c> matches: <see cref="ChunkSizeFor"/>).
/// The status change, the batch, its items, chunks and Hangfire jobs commit together or not at all; two hosts sweeping
/// at once never take the same match.
/// Runs only where the <c>telemetry</c> worker type is enabled (an intake-only host leaves matches pending).
/// </summary>
public sealed partial class PendingMatchesSweep(
    NpgsqlDataSource dataSource,
    JobStorage storage,
    BatchSubmitter submitter,
    WorkerTypeRegistry workerTypes,
    IOptions<TelemetryOptions> options,
    ILogger<PendingMatchesSweep> logger)
{
    public const string RecurringJobId = "pending-matches";

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Sweep: pending matches")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await SweepAsync(cancellationToken);
            if (result.Claimed < options.Value.MaxMatchesPerCycle)
            {
                return;
            }
        }
    }

    public async Task<MatchSweepResult> SweepAsync(CancellationToken cancellationToken)
    {
        if (!workerTypes.TryGet(TelemetryWorkerType.Name, out var telemetry))
        {
            return new MatchSweepResult(0, null);
        }
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var claimed = await TelemetryMatchStore.ClaimAsync(transaction, options.Value.MaxMatchesPerCycle, cancellationToken);
        if (claimed.Count == 0)
        {
            return new MatchSweepResult(0, null);
        }
        var chunkSize = ChunkSizeFor(claimed.Count, TelemetryWorkers(telemetry), telemetry.Options.ChunkSize);
        // Largest first, dealt across the chunks (a URL's size is unknown until fetched: it goes first, as it may be the
        // largest): the batch does not end waiting on a large match begun last, and the hosts sharing it end together.
        var ordered = LargestFirst.Order(claimed, match => match.FileBytes ?? long.MaxValue, chunkSize);
        var items = ordered.Select(match => JsonSerializer.SerializeToElement(new TelemetryItem(match.MatchId), TelemetryItem.Json)).ToList();
        var batch = await submitter.SubmitAsync(transaction,
            new SubmitBatch(TelemetryWorkerType.Name, items, chunkSize, Description: $"pending-matches sweep: {claimed.Count} match(es)"), cancellationToken);
        await TelemetryMatchStore.MarkBatchAsync(transaction, [.. claimed.Select(match => match.MatchId)], batch.BatchId, cancellationToken);
        transaction.Complete();
        LogSwept(logger, claimed.Count, batch.BatchId);
        return new MatchSweepResult(claimed.Count, batch.BatchId);
    }

    /// <summary>
    /// Matches per chunk for a sweep of <paramref name="matches"/>: spread evenly over the telemetry workers of the job
    /// servers (one chunk for each), never more than <paramref name="maxChunkSize"/> (the type's <c>ChunkSize</c>). A
    /// small batch then still reaches every host, and a large one gets chunks of <c>ChunkSize</c>, whose bookkeeping is
    /// paid once per that many matches. No worker known (none registered yet): <c>ChunkSize</c>.
    /// </summary>
    public static int ChunkSizeFor(int matches, int workers, int maxChunkSize) =>
        workers <= 0 ? maxChunkSize : Math.Clamp((matches + workers - 1) / workers, 1, maxChunkSize);

    /// <summary>The workers of the job servers (of every host) that fetch from the telemetry queues.</summary>
    private int TelemetryWorkers(WorkerType telemetry) =>
        QueueNames.Serving(storage.GetMonitoringApi().Servers(), telemetry.Queue).Sum(server => server.WorkersCount);

    [LoggerMessage(EventId = WorkerLogEventIds.PendingMatchesSweepSwept, Level = LogLevel.Information, Message = "pending-matches: claimed {Count} match(es) into batch {BatchId}")]
    private static partial void LogSwept(ILogger logger, int count, long batchId);
}
