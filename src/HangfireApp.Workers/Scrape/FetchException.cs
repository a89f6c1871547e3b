using HangfireApp.Batches.WorkerTypes;

namespace HangfireApp.Workers.Scrape;

/// <summary>Why a page could not be fetched.</summary>
public enum FetchFailure
{
    /// <summary>No answer within <see cref="ScrapeOptions.RequestTimeout"/>.</summary>
    Timeout,

    /// <summary>Connect, TLS or a broken connection (or a DNS failure other than "no such host").</summary>
    Connection,

    /// <summary>The host name does not exist (DNS: no such host, or no address): a typo, not trouble at a site.</summary>
    UnknownHost,

    /// <summary>HTTP 5xx.</summary>
    ServerError,

    /// <summary>HTTP 429.</summary>
    TooManyRequests,

    /// <summary>HTTP 4xx other than 429: the page is not there for us.</summary>
    ClientError,

    /// <summary>The SSRF guard refused the address the host name resolves to, or the URL is not http(s).</summary>
    Refused,

    /// <summary>More redirects than <see cref="ScrapeOptions.MaxRedirects"/>, or a redirect without a usable Location.</summary>
    BadRedirect,
}

/// <summary>
/// A page that could not be fetched. <see cref="IsTransient"/> failures count towards a chunk's consecutive-error stop
/// and are retried; the others (4xx, unknown host, refused, bad redirects) fail a seed's item for good at once.
/// </summary>
public sealed class FetchException : Exception, IItemFailure
{
    public FetchException(FetchFailure failure, Uri url, string message, Exception? inner = null)
        : base($"{message} ({url})", inner)
    {
        Failure = failure;
        Url = url;
    }

    public FetchFailure Failure { get; }

    public Uri Url { get; }

    /// <summary>The site or the network is in trouble (timeout, connection, 5xx, 429): worth stopping for, worth retrying.</summary>
    public bool IsTransient => Failure is FetchFailure.Timeout or FetchFailure.Connection or FetchFailure.ServerError or FetchFailure.TooManyRequests;

    /// <summary>Only trouble that may pass is worth another attempt.</summary>
    public bool Retryable => IsTransient;
}
