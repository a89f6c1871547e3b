
namespace HangfireApp.Batches.Outbound;

/// <summary>
/// The outermost handler of every outbound client: refuses a URL that breaks <see cref="OutboundRequest.WhyRefused"/>,
/// and follows redirects itself (the socket handler's own following is off) so that every hop is checked the same way
/// — its URL here, its address at connect — and headers meant for the origin do not follow a redirect elsewhere.
/// 303, and 301/302 after a POST, continue as GET without a body, as browsers do; 307 and 308 repeat the request.
/// </summary>
internal sealed class OutboundGuardHandler(OutboundClientOptions options) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Check(request.RequestUri);
        var response = await base.SendAsync(request, cancellationToken);
        if (!options.FollowRedirects)
        {
            return response;
        }
        var origin = request.RequestUri!;
        var current = request;
        for (var redirects = 0; ; redirects++)
        {
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }
            var next = location.IsAbsoluteUri ? location : new Uri(current.RequestUri!, location);
            response.Dispose();
            if (redirects == options.MaxRedirects)
            {
                throw new OutboundRefusedException($"More than {options.MaxRedirects} redirects, the last to {next.GetLeftPart(UriPartial.Path)}.");
            }
            Check(next);
            var hop = NextHop(request, current, next, status, SameOrigin(origin, next));
            if (!ReferenceEquals(current, request))
            {
                current.Dispose();
            }
            current = hop;
            response = await base.SendAsync(current, cancellationToken);
        }
    }

    private static void Check(Uri? url)
    {
        var why = url is null ? "is missing." : OutboundRequest.WhyRefused(url);
        if (why is not null)
        {
            throw new OutboundRefusedException($"The URL {why}");
        }
    }

    private static HttpRequestMessage NextHop(HttpRequestMessage original, HttpRequestMessage current, Uri next, int status, bool sameOrigin)
    {
        var asGet = status == 303 || (status is 301 or 302 && current.Method == HttpMethod.Post);
        var hop = new HttpRequestMessage(asGet ? HttpMethod.Get : current.Method, next)
        {
            Version = current.Version,
            VersionPolicy = current.VersionPolicy,
            Content = asGet ? null : original.Content,
        };
        original.Options.TryGetValue(OutboundRequest.SensitiveHeaders, out var sensitive);
        foreach (var (name, values) in original.Headers)
        {
            var isSensitive = OutboundRequest.AlwaysSensitive.Contains(name, StringComparer.OrdinalIgnoreCase)
                || (sensitive?.Contains(name, StringComparer.OrdinalIgnoreCase) ?? false);
            if (sameOrigin || !isSensitive)
            {
                hop.Headers.TryAddWithoutValidation(name, values);
            }
        }
        foreach (var (key, value) in original.Options)
        {
            ((IDictionary<string, object?>)hop.Options)[key] = value;
        }
        return hop;
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        Uri.Compare(a, b, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
}

/// <summary>Runs the caller's <see cref="OutboundRequest.BeforeAttempt"/> before each attempt (inside the retries).</summary>
internal sealed class OutboundAttemptHandler : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(OutboundRequest.BeforeAttempt, out var before))
        {
            await before(cancellationToken);
        }
        return await base.SendAsync(request, cancellationToken);
    }
}
