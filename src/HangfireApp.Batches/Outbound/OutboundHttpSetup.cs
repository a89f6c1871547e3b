using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace HangfireApp.Batches.Outbound;

/// <summary>
/// The one outbound HTTP policy for every client that calls a URL a user (or an operator) gave: rows' URL template,
/// continuation webhooks, the packages scanner, scrape, telemetry downloads. A module registers its client with
/// <see cref="AddOutboundHttpClient"/> and gets: the address check at connect time (<see cref="OutboundConnector"/>),
/// URL and redirect checks (<see cref="OutboundGuardHandler"/>), no proxy, no cookies, and retries with exponential
/// back-off and <c>Retry-After</c> on Microsoft.Extensions.Http.Resilience (Polly).
/// </summary>
public static class OutboundHttpSetup
{
    /// <summary>
    /// Registers the named client <paramref name="name"/>, its policy bound from <paramref name="section"/> over the
    /// module's <paramref name="defaults"/> and validated at start. The client has no overall timeout: callers set
    /// their own deadline.
    /// </summary>
    public static IHttpClientBuilder AddOutboundHttpClient(this IServiceCollection services, string name, string section,
        Action<OutboundClientOptions>? defaults = null)
    {
        var optionsBuilder = services.AddOptions<OutboundClientOptions>(name);
        if (defaults is not null)
        {
            optionsBuilder.Configure(defaults);
        }
        optionsBuilder.BindConfiguration(section)
            .Validate(options => options.Validate(section) is null, $"{section}: the outbound policy settings are invalid (AllowedNetworks, MaxAttempts, BackoffBase, MaxRetryAfter, MaxRedirects).")
            .ValidateOnStart();
        var builder = services.AddHttpClient(name, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .AddHttpMessageHandler(sp => new OutboundGuardHandler(Options(sp, name)));
        builder.AddResilienceHandler("outbound-retry", (pipeline, context) =>
        {
            var options = Options(context.ServiceProvider, name);
            if (options.MaxAttempts > 1)
            {
                pipeline.AddRetry(RetryOptions(options));
            }
            if (options.Timeout is { } timeout)
            {
                pipeline.AddTimeout(timeout); // inside the retry: per try
            }
        });
        builder.AddHttpMessageHandler(() => new OutboundAttemptHandler())
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var connector = new OutboundConnector(name, Options(sp, name));
                return new SocketsHttpHandler
                {
                    AllowAutoRedirect = false, // followed by OutboundGuardHandler, hop by hop
                    UseProxy = false, // a proxy would connect on our behalf, unchecked
                    UseCookies = false,
                    AutomaticDecompression = DecompressionMethods.All,
                    PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                    ConnectCallback = connector.ConnectAsync,
                };
            })
            // The factory's loggers write every URL at Information (and headers at Trace): URLs may carry personal data
            // and headers secrets.
            .RemoveAllLoggers();
        return builder;
    }

    private static OutboundClientOptions Options(IServiceProvider services, string name) =>
        services.GetRequiredService<IOptionsMonitor<OutboundClientOptions>>().Get(name);

    /// <summary>
    /// 5xx, 408 and network errors back off exponentially (jittered); a 429 waits its <c>Retry-After</c> unless that is
    /// longer than <see cref="OutboundClientOptions.MaxRetryAfter"/> (then the caller gets the 429 to decide). A refusal
    /// of the policy is never retried: the same URL is refused every time.
    /// </summary>
    private static HttpRetryStrategyOptions RetryOptions(OutboundClientOptions options) => new()
    {
        MaxRetryAttempts = options.MaxAttempts - 1,
        BackoffType = DelayBackoffType.Exponential,
        UseJitter = true,
        Delay = options.BackoffBase,
        ShouldRetryAfterHeader = true,
        ShouldHandle = args => ValueTask.FromResult(args.Outcome switch
        {
            { Exception: { } e } => e is HttpRequestException or TimeoutRejectedException && OutboundRefusedException.Find(e) is null,
            { Result: { } response } => response.StatusCode switch
            {
                HttpStatusCode.TooManyRequests => RetryAfter(response) is not { } wait || wait <= options.MaxRetryAfter,
                HttpStatusCode.RequestTimeout => true,
                _ => (int)response.StatusCode >= 500,
            },
            _ => false,
        }),
        OnRetry = async args =>
        {
            if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests, RequestMessage: { } request }
                && request.Options.TryGetValue(OutboundRequest.OnRetryAfter, out var onRetryAfter))
            {
                await onRetryAfter(args.RetryDelay, args.Context.CancellationToken);
            }
        },
    };

    /// <summary>The wait a response's <c>Retry-After</c> asks for (seconds or a date), if it has one.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };
    }
}
