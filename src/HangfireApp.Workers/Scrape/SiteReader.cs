namespace HangfireApp.Workers.Scrape;

/// <summary>A page as the crawl sees it: its text, or why it was skipped.</summary>
/// <param name="Url">The URL asked for.</param>
/// <param name="FinalUrl">Where the redirects ended (links resolve against it).</param>
/// <param name="Text">The page's text; null when skipped.</param>
/// <param name="IsHtml">Whether links should be looked for.</param>
/// <param name="Truncated">Only the first <see cref="ScrapeOptions.MaxResponseBytes"/> were read.</param>
/// <param name="Skipped">Why nothing was read (robots.txt, not a text page), or null.</param>
public sealed record PageRead(Uri Url, Uri FinalUrl, string? Text, bool IsHtml, bool Truncated, string? Skipped);

/// <summary>
/// Reads one page politely: robots.txt allows it (for every redirect hop too), the host's pace is kept
/// (<see cref="ScrapeOptions.PerHostDelay"/> or a larger <c>Crawl-delay</c>, capped), redirects are followed
/// by hand up to <see cref="ScrapeOptions.MaxRedirects"/> so that every hop goes through the SSRF guard.
/// </summary>
public sealed class SiteReader(PageFetcher fetcher, RobotsCache robots, ScrapeOptions options)
{
    /// <exception cref="FetchException">The page could not be read (see <see cref="FetchException.IsTransient"/>).</exception>
    public async Task<PageRead> ReadAsync(long batchId, Uri url, CancellationToken cancellationToken)
    {
        var current = url;
        for (var hop = 0; ; hop++)
        {
            if (current.Scheme is not ("http" or "https"))
            {
                throw new FetchException(FetchFailure.Refused, current, $"Only http and https are fetched, not '{current.Scheme}'");
            }
            var rules = await robots.GetAsync(batchId, current, cancellationToken);
            if (!rules.IsAllowed(options.UserAgent, current))
            {
                return new PageRead(url, current, null, false, false, "robots.txt disallows it");
            }
            var spacing = options.PerHostDelay;
            if (rules.CrawlDelay(options.UserAgent) is { } crawlDelay && crawlDelay > spacing)
            {
                spacing = crawlDelay < options.MaxCrawlDelay ? crawlDelay : options.MaxCrawlDelay;
            }
            var response = await fetcher.GetAsync(current, spacing, cancellationToken);
            switch (response.Status)
            {
                case >= 200 and < 300 when response.Text is null:
                    return new PageRead(url, current, null, false, false, $"not a text page ({response.MediaType})");
                case >= 200 and < 300:
                    var html = response.MediaType is null || !response.MediaType.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
                    return new PageRead(url, current, response.Text, html, response.Truncated, null);
                case >= 300 and < 400:
                    if (response.Location is null)
                    {
                        throw new FetchException(FetchFailure.BadRedirect, current, $"Redirect {response.Status} without a Location");
                    }
                    if (hop >= options.MaxRedirects)
                    {
                        throw new FetchException(FetchFailure.BadRedirect, url, $"More than {options.MaxRedirects} redirects");
                    }
                    current = response.Location;
                    continue;
                case 408:
                    throw new FetchException(FetchFailure.Timeout, current, "HTTP 408 Request Timeout");
                case 429:
                    throw new FetchException(FetchFailure.TooManyRequests, current, "HTTP 429 Too Many Requests");
                case >= 500:
                    throw new FetchException(FetchFailure.ServerError, current, $"HTTP {response.Status}");
                default:
                    throw new FetchException(FetchFailure.ClientError, current, $"HTTP {response.Status}");
            }
        }
    }
}
