namespace HangfireApp.Batches.Outbound;

/// <summary>
/// What a caller may attach to one outbound request (<see cref="HttpRequestMessage.Options"/>), and the URL rule its
/// API applies before storing a user-given URL.
/// </summary>
public static class OutboundRequest
{
    /// <summary>Headers that go only to the request's own origin: a redirect to another scheme, host or port drops them.</summary>
    public static readonly HttpRequestOptionsKey<IReadOnlyCollection<string>> SensitiveHeaders = new("Outbound.SensitiveHeaders");

    /// <summary>Awaited before every attempt, retries and redirect hops included (a shared rate limit, a batch's pause).</summary>
    public static readonly HttpRequestOptionsKey<Func<CancellationToken, ValueTask>> BeforeAttempt = new("Outbound.BeforeAttempt");

    /// <summary>Called when a 429 will be retried after its Retry-After: other callers of the same API can wait too.</summary>
    public static readonly HttpRequestOptionsKey<Func<TimeSpan, CancellationToken, ValueTask>> OnRetryAfter = new("Outbound.OnRetryAfter");

    /// <summary>Headers never sent across origins on a redirect, whatever the caller says.</summary>
    internal static readonly string[] AlwaysSensitive = ["Authorization", "Proxy-Authorization", "Cookie"];

    /// <summary>
    /// Why <paramref name="url"/> may not be called (null: it may, subject to the address check at connect time):
    /// http and https only, and no credentials in the URL (they would be sent to whoever the URL points at, and
    /// they end up in logs and the database). For an API to refuse at submit time what would be refused later.
    /// </summary>
    public static string? WhyRefused(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
        {
            return "must be an absolute http or https URL.";
        }
        if (url.UserInfo.Length > 0)
        {
            return "must not carry credentials (user:password@); send them in a header instead.";
        }
        return string.IsNullOrEmpty(url.Host) ? "must name a host." : null;
    }
}
