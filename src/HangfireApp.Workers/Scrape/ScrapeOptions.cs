namespace HangfireApp.Workers.Scrape;

/// <summary>
/// The <c>scrape</c> worker type's own settings, bound from <c>WorkerTypes:scrape</c> next to the engine's
/// (chunk size, parallelism, retries, item timeout), which <see cref="HangfireApp.Batches.WorkerTypes.WorkerTypeOptions"/> reads.
/// </summary>
public sealed class ScrapeOptions
{
    public const string Section = "WorkerTypes:scrape";

    /// <summary>Sent with every request; its product token (before the first <c>/</c>) is what robots.txt groups are matched against.</summary>
    public string UserAgent { get; set; } = "HangfireAppScraper/1.0";

    /// <summary>One request: connect, headers and reading the body.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Bytes of a response body read at most; the rest is not read (the page is marked truncated).</summary>
    public int MaxResponseBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Redirect hops followed per page, each one checked like the first request.</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Requests in flight to one host name at once, across every chunk of this process.</summary>
    public int PerHostConcurrency { get; set; } = 2;

    /// <summary>Least time between the starts of two requests to one host name (a robots.txt <c>Crawl-delay</c> may raise it).</summary>
    public TimeSpan PerHostDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The highest <c>Crawl-delay</c> obeyed; a site asking for more gets this.</summary>
    public TimeSpan MaxCrawlDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A chunk stops after this many fetch errors in a row (timeouts, connection failures, 5xx, 429);
    /// its items that did not run are retried later.</summary>
    public int MaxConsecutiveErrors { get; set; } = 5;

    /// <summary>How long a host's robots.txt is kept, per batch.</summary>
    public TimeSpan RobotsCacheTime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>URLs one <c>POST /api/scrape</c> may carry.</summary>
    public int MaxUrlsPerRequest { get; set; } = 10_000;

    /// <summary>The largest <c>followLinks.maxDepth</c> a request may ask for.</summary>
    public int MaxDepthLimit { get; set; } = 5;

    /// <summary>The largest <c>followLinks.maxPages</c> (pages fetched per seed URL, the seed included).</summary>
    public int MaxPagesLimit { get; set; } = 1_000;

    /// <summary>Source pages kept per address and batch; more are counted as "more sources" only.</summary>
    public int MaxSourcesPerAddress { get; set; } = 50;

    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(UserAgent))
        {
            return $"{Section}:UserAgent must not be empty.";
        }
        if (RequestTimeout <= TimeSpan.Zero || PerHostDelay < TimeSpan.Zero || MaxCrawlDelay < TimeSpan.Zero || RobotsCacheTime <= TimeSpan.Zero)
        {
            return $"{Section}:RequestTimeout and RobotsCacheTime must be positive, PerHostDelay and MaxCrawlDelay not negative.";
        }
        if (MaxResponseBytes < 1024)
        {
            return $"{Section}:MaxResponseBytes must be at least 1024 (it is {MaxResponseBytes}).";
        }
        if (MaxRedirects is < 0 or > 20)
        {
            return $"{Section}:MaxRedirects must be between 0 and 20 (it is {MaxRedirects}).";
        }
        if (PerHostConcurrency is < 1 or > 100)
        {
            return $"{Section}:PerHostConcurrency must be between 1 and 100 (it is {PerHostConcurrency}).";
        }
        if (MaxConsecutiveErrors < 1)
        {
            return $"{Section}:MaxConsecutiveErrors must be at least 1 (it is {MaxConsecutiveErrors}).";
        }
        if (MaxUrlsPerRequest < 1 || MaxDepthLimit < 0 || MaxPagesLimit < 1 || MaxSourcesPerAddress < 1)
        {
            return $"{Section}:MaxUrlsPerRequest, MaxPagesLimit and MaxSourcesPerAddress must be at least 1, MaxDepthLimit not negative.";
        }
        return null;
    }
}
