using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Batches.RateLimits;
using HangfireApp.Batches.Outbound;
using HangfireApp.Workers.Packages.Advisories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.Timeout;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>
/// The external scanner (<c>WorkerTypes:packages:Scanner=http</c>): one OSV query per package to the configured
/// endpoint through the engine's outbound policy (address check, retries: <see cref="OutboundHttpSetup"/>), under a
/// rate limit shared by all hosts. A <c>429</c> blocks every host until its Retry-After; a <c>5xx</c>, a timeout or
/// a network error backs off exponentially; after <c>MaxAttempts</c> the item fails (and is retried with its chunk). The advisories it answers with are stored, so findings refer to them like local ones.
/// </summary>
public sealed partial class HttpScanner(
    HttpClient http,
    SharedRateLimiter limiter,
    AdvisoryImporter advisories,
    IAdvisoryMatcher matcher,
    IOptions<PackagesOptions> options,
    ILogger<HttpScanner> logger) : IPackageScanner
{
    public const string HttpClientName = "packages-scanner";
    public const string RateLimitKey = "packages-scanner";

    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        var settings = options.Value.Http;
        var query = new { package = new { ecosystem = target.Ecosystem, name = target.Name }, version = target.Version };
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.Url) { Content = JsonContent.Create(query) };
        // Every try takes a token of the rate shared by all hosts; a 429 blocks every host until its Retry-After.
        request.Options.Set(OutboundRequest.BeforeAttempt,
            token => new ValueTask(limiter.AcquireAsync(RateLimitKey, settings.RequestsPerSecond, settings.Burst, token)));
        request.Options.Set(OutboundRequest.OnRetryAfter, async (wait, token) =>
        {
            LogThrottled(logger, wait.TotalSeconds);
            await limiter.BlockUntilAsync(RateLimitKey, wait, token);
        });
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken);
        }
        catch (TimeoutRejectedException e)
        {
            throw new TimeoutException($"The scanner did not answer within {settings.Timeout.TotalSeconds:0.###} s, {settings.MaxAttempts} times.", e);
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return await ReadFindingsAsync(response, target, cancellationToken);
            }
            if (status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
            {
                throw new HttpRequestException($"The scanner still failed after {settings.MaxAttempts} attempts: {status} {response.ReasonPhrase}");
            }
            throw new HttpRequestException($"The scanner refused {target.Ecosystem}/{target.Name}@{target.Version}: {status} {response.ReasonPhrase}");
        }
    }

    private async Task<IReadOnlyList<ScanFinding>> ReadFindingsAsync(HttpResponseMessage response, ScanTarget target, CancellationToken cancellationToken)
    {
        using var body = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), default, cancellationToken);
        if (!body.RootElement.TryGetProperty("vulns", out var vulns) || vulns.ValueKind != JsonValueKind.Array)
        {
            return []; // the OSV API answers {} when nothing is known
        }
        var rows = vulns.EnumerateArray().Select(AdvisoryRow.From).ToList();
        if (rows.Count == 0)
        {
            return [];
        }
        await advisories.ImportAsync(rows, cancellationToken);
        // The scanner has matched already; the local matcher only tells which version fixes it, when it can.
        return [.. vulns.EnumerateArray().Zip(rows).Select(pair => new ScanFinding(pair.Second.Id, pair.Second.Severity, pair.Second.Aliases,
            pair.Second.Summary, SafeFixedIn(pair.First, target)))];
    }

    private string? SafeFixedIn(JsonElement record, ScanTarget target)
    {
        try
        {
            return matcher.Match(record.GetRawText(), target)?.FixedIn;
        }
        catch (Exception e) when (e is FormatException or NotSupportedException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = WorkerLogEventIds.HttpScannerThrottled, Level = LogLevel.Warning, Message = "Package scanner answered 429: all hosts pause for {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, double seconds);
}
