using System.Diagnostics;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Telemetry.Parsing;
using HangfireApp.Workers.Telemetry.Storage;
using Npgsql;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// Aggregates one match: marks it <c>processing</c>, streams its telemetry (the uploaded file from PostgreSQL, or
/// its URL) through the parser in one pass — inside the process's parse gate — and stores the players' statistics
/// and the match summary in one transaction (replacing any earlier result). A malformed or truncated file, a file
/// of another match, or a URL that answers 404 fail the match for good; the other matches of the batch go on.
/// </summary>
public sealed class TelemetryHandler(
    TelemetryMatchStore store,
    NpgsqlDataSource dataSource,
    TelemetryDownloader downloader,
    TelemetryParseGate gate) : ItemHandler<TelemetryItem, TelemetryItemResult>
{
    protected override async ValueTask<TelemetryItemResult> HandleAsync(TelemetryItem payload, WorkItem item, CancellationToken cancellationToken)
    {
        var source = await store.StartAsync(payload.MatchId, item.BatchId, cancellationToken)
            ?? throw new NonRetryableItemException($"Match '{payload.MatchId}' is not registered (deleted after it was queued).");
        MatchAggregate match;
        var clock = Stopwatch.StartNew();
        using (await gate.EnterAsync(cancellationToken))
        {
            clock.Restart();
            await using var stream = source.Source == MatchSources.Upload
                ? await TelemetryFileStore.OpenAsync(dataSource, payload.MatchId, cancellationToken)
                : await downloader.OpenAsync(source.TelemetryUrl!, cancellationToken);
            match = await TelemetryParser.ParseAsync(stream, cancellationToken);
        }
        var parseMs = clock.Elapsed.TotalMilliseconds;
        if (match.Summary.MatchId is { } fileMatchId && !string.Equals(fileMatchId, payload.MatchId, StringComparison.Ordinal))
        {
            throw new NonRetryableItemException($"The telemetry registered for match '{payload.MatchId}' is of match '{fileMatchId}' (its LogMatchDefinition).");
        }
        await store.SaveAsync(payload.MatchId, match, cancellationToken);
        var summary = match.Summary;
        return new TelemetryItemResult(payload.MatchId, summary.MapName, summary.Mode, summary.Players, summary.Events, summary.Bytes, Math.Round(parseMs, 1));
    }
}
