using System.Text.RegularExpressions;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Workers.Scrape;

/// <summary>The <c>scrape</c> worker type's name.</summary>
public static class ScrapeWorkerType
{
    public const string Name = "scrape";
}

/// <summary>An item of a <c>scrape</c> batch: a seed URL and, optionally, how far to follow its links.</summary>
public sealed record ScrapeItem(string Url, FollowLinks? FollowLinks);

/// <summary>How far a crawl from one seed goes. Depth 0 is the seed alone; <see cref="MaxPages"/> counts the seed.</summary>
public sealed record FollowLinks(bool SameHostOnly = true, int MaxDepth = 1, int MaxPages = 20);

/// <summary>A page that failed or was skipped during a crawl.</summary>
public sealed record PageNote(string Url, string Note);

/// <summary>What a scrape stores as the item's result (lists capped; the batch's full set is in output.csv).</summary>
public sealed record ScrapeResult(
    string Url, int PagesRead, int AddressCount, IReadOnlyList<string> Addresses, int PagesFailed, int PagesSkipped,
    int PagesTruncated, IReadOnlyList<PageNote> Notes);

/// <summary>
/// Scrapes one seed URL: reads it (and, with <see cref="FollowLinks"/>, the pages it links to, breadth first, within
/// depth, page budget and host), extracts the e-mail addresses, merges them into the batch's address set, and
/// returns a summary. The whole crawl of a seed is one item, so a retry redoes that crawl and the merge keeps the
/// set exact. The seed failing fails the item; a linked page failing is noted and the crawl goes on.
/// Fetch errors that point at trouble (timeouts, connection failures, 5xx, 429) are counted per chunk: after
/// <see cref="ScrapeOptions.MaxConsecutiveErrors"/> in a row the chunk stops, and what it did not run is retried later.
/// One instance per chunk run, so the counter is the chunk's.
/// </summary>
public sealed partial class ScrapeHandler(SiteReader reader, ScrapeAddressStore store, ScrapeOptions options, ILogger<ScrapeHandler> logger)
    : ItemHandler<ScrapeItem, ScrapeResult>
{
    private const int MaxListed = 100;
    private const int MaxNotes = 20;

    private int _consecutiveErrors;

    protected override async ValueTask<ScrapeResult> HandleAsync(ScrapeItem payload, WorkItem item, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(payload.Url, UriKind.Absolute, out var seed))
        {
            throw new FetchException(FetchFailure.Refused, new Uri("about:blank"), $"Not an absolute URL: '{payload.Url}'");
        }
        var follow = payload.FollowLinks;
        // Clamped here too: items can also arrive through POST /api/batches, which does not know these limits.
        var maxDepth = Math.Clamp(follow?.MaxDepth ?? 0, 0, options.MaxDepthLimit);
        var maxPages = Math.Clamp(follow?.MaxPages ?? 1, 1, options.MaxPagesLimit);
        // "Same host" is the seed's host, and where the seed redirected to (http://example.com → https://www.example.com).
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { seed.IdnHost };
        var queue = new Queue<(Uri Url, int Depth)>();
        var seen = new HashSet<Uri> { seed };
        queue.Enqueue((seed, 0));
        var found = new List<FoundAddress>();
        var notes = new List<PageNote>();
        int read = 0, failed = 0, skipped = 0, truncated = 0;
        while (read + failed < maxPages && queue.TryDequeue(out var next))
        {
            PageRead page;
            try
            {
                page = await reader.ReadAsync(item.BatchId, next.Url, cancellationToken);
            }
            catch (FetchException e)
            {
                Count(e, item);
                if (next.Depth == 0)
                {
                    throw; // the seed itself: the item failed (and is retried with its chunk)
                }
                failed++;
                Note(notes, next.Url, e.Message);
                continue;
            }
            Interlocked.Exchange(ref _consecutiveErrors, 0); // the site answered
            if (page.Text is null)
            {
                skipped++;
                Note(notes, next.Url, page.Skipped ?? "skipped");
                continue;
            }
            read++;
            if (page.Truncated)
            {
                truncated++;
                Note(notes, next.Url, $"only the first {options.MaxResponseBytes} bytes were read");
            }
            if (next.Depth == 0)
            {
                hosts.Add(page.FinalUrl.IdnHost);
            }
            var pageUrl = page.FinalUrl.ToString();
            IReadOnlyList<string> addresses;
            IReadOnlyList<Uri> links;
            try
            {
                addresses = EmailExtractor.Extract(page.Text);
                links = page.IsHtml && next.Depth < maxDepth ? LinkExtractor.Extract(page.Text, page.FinalUrl) : [];
            }
            catch (RegexMatchTimeoutException) when (next.Depth > 0)
            {
                // A page built to make the patterns backtrack: skip it rather than lose the rest of the crawl.
                Note(notes, next.Url, "too costly to scan (pattern timeout)");
                continue;
            }
            found.AddRange(addresses.Select(address => new FoundAddress(address, pageUrl)));
            foreach (var link in links)
            {
                if ((follow?.SameHostOnly ?? true) && !hosts.Contains(link.IdnHost))
                {
                    continue;
                }
                if (seen.Add(link))
                {
                    queue.Enqueue((link, next.Depth + 1));
                }
            }
        }
        await store.MergeAsync(item.BatchId, item.ItemNo, found, cancellationToken);
        var distinct = found.Select(f => f.Address).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        return new ScrapeResult(seed.ToString(), read, distinct.Count, [.. distinct.Take(MaxListed)], failed, skipped, truncated, notes);
    }

    private void Count(FetchException e, WorkItem item)
    {
        if (!e.IsTransient)
        {
            return; // a 404, an unknown host name or a refusal says nothing about a site's health
        }
        var errors = Interlocked.Increment(ref _consecutiveErrors);
        if (errors == options.MaxConsecutiveErrors)
        {
            var why = $"{errors} consecutive fetch errors (last: {e.Message})";
            item.Chunk.Console.WriteLine($"Stopping the chunk: {why}; the items not run are retried later", ConsoleTextColor.Yellow);
            LogChunkStopped(logger, item.Chunk.ChunkId, item.BatchId, errors, e.Message);
            item.Chunk.RequestStop(why);
        }
    }

    [LoggerMessage(EventId = WorkerLogEventIds.ScrapeHandlerChunkStopped, Level = LogLevel.Warning, Message = "Scrape chunk {ChunkId} of batch {BatchId} stops after {Errors} consecutive fetch errors; last: {LastError}")]
    private static partial void LogChunkStopped(ILogger logger, long chunkId, long batchId, int errors, string lastError);

    private static void Note(List<PageNote> notes, Uri url, string note)
    {
        if (notes.Count < MaxNotes)
        {
            notes.Add(new PageNote(url.ToString(), note));
        }
    }
}
