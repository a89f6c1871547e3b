using System.Collections.Concurrent;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// The robots.txt of each site (scheme, host, port), fetched once per batch and kept for
/// <see cref="ScrapeOptions.RobotsCacheTime"/>. Following RFC 9309: a 2xx body is parsed (first 500 KiB), a 4xx
/// means no rules (everything allowed), and a 5xx or an unreachable site means "do not crawl now": the caller
/// gets a transient <see cref="FetchException"/> and the next page of that site asks again. Concurrent pages of
/// one site share one fetch.
/// </summary>
public sealed class RobotsCache(PageFetcher fetcher, ScrapeOptions options)
{
    private const int MaxRobotsBytes = 500 * 1024;
    private const int EvictAbove = 10_000;

    private readonly ConcurrentDictionary<(long BatchId, string Site), Entry> _entries = new();

    /// <summary>The rules that apply to <paramref name="url"/>'s site for this batch.</summary>
    public async Task<RobotsTxt> GetAsync(long batchId, Uri url, CancellationToken cancellationToken)
    {
        var key = (batchId, url.GetLeftPart(UriPartial.Authority));
        var now = DateTime.UtcNow;
        if (_entries.Count > EvictAbove)
        {
            foreach (var stale in _entries.Where(entry => entry.Value.ExpiresAt < now).Select(entry => entry.Key).ToList())
            {
                _entries.TryRemove(stale, out _);
            }
        }
        // AddOrUpdate may run a factory more than once under contention: the Lazy makes sure only the entry that
        // wins ever fetches.
        var entry = _entries.AddOrUpdate(key,
            _ => new Entry(new Lazy<Task<RobotsTxt>>(() => FetchAsync(url)), now + options.RobotsCacheTime),
            (_, existing) => existing.ExpiresAt < now ? new Entry(new Lazy<Task<RobotsTxt>>(() => FetchAsync(url)), now + options.RobotsCacheTime) : existing);
        try
        {
            return await entry.Robots.Value.WaitAsync(cancellationToken);
        }
        catch (FetchException)
        {
            // Not cached: the site may be back for the next page or the retry.
            _entries.TryRemove(new KeyValuePair<(long, string), Entry>(key, entry));
            throw;
        }
    }

    private async Task<RobotsTxt> FetchAsync(Uri pageUrl)
    {
        // Shared by every page of the site: no caller's token, only the fetcher's own request timeout.
        var url = new Uri(pageUrl, "/robots.txt");
        for (var hop = 0; hop <= options.MaxRedirects; hop++)
        {
            var response = await fetcher.GetAsync(url, options.PerHostDelay, CancellationToken.None);
            switch (response.Status)
            {
                case >= 200 and < 300:
                    var text = response.Text ?? "";
                    return RobotsTxt.Parse(text.Length > MaxRobotsBytes ? text[..MaxRobotsBytes] : text);
                case >= 300 and < 400 when response.Location is not null:
                    url = response.Location;
                    continue;
                case 429 or >= 500:
                    throw new FetchException(response.Status == 429 ? FetchFailure.TooManyRequests : FetchFailure.ServerError, url,
                        $"robots.txt answered {response.Status}: the site is not crawled until it answers");
                default:
                    return RobotsTxt.AllowAll; // 4xx, or a redirect loop/without Location: no rules
            }
        }
        return RobotsTxt.AllowAll;
    }

    private sealed record Entry(Lazy<Task<RobotsTxt>> Robots, DateTime ExpiresAt);
}
