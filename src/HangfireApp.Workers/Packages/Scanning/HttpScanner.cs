using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Batches.RateLimits;
using HangfireApp.Workers.Packages.Advisories;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>
/// The external scanner (<c>WorkerTypes:packages:Scanner=http</c>): one OSV query per package to the configured
/// endpoint, under a rate limit shared by all hosts. A <c>429</c> blocks every host until its Retry-After; a
/// <c>5xx</c> or a network error backs off exponentially; after <c>MaxAttempts</c> the item fails (and is retried
/// with its chunk). The advisories it answers with are stored, so findings refer to them like local ones.
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
        string? lastProblem = null;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            await limiter.AcquireAsync(RateLimitKey, settings.RequestsPerSecond, settings.Burst, cancellationToken);
            HttpResponseMessage response;
            try
            {
                response = await http.PostAsJsonAsync(settings.Url, query, cancellationToken);
            }
            catch (HttpRequestException e)
            {
                lastProblem = e.Message;
                await BackOffAsync(settings, attempt, cancellationToken);
                continue;
            }
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    var delay = RetryAfter(response) ?? Backoff(settings, attempt);
                    lastProblem = $"429 Too Many Requests (Retry-After {delay.TotalSeconds:0.###} s)";
                    LogThrottled(logger, delay.TotalSeconds);
                    await limiter.BlockUntilAsync(RateLimitKey, delay, cancellationToken);
                    continue;
                }
                if ((int)response.StatusCode >= 500)
                {
                    lastProblem = $"{(int)response.StatusCode} {response.ReasonPhrase}";
                    await BackOffAsync(settings, attempt, cancellationToken);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                {
                    throw new HttpRequestException($"The scanner refused {target.Ecosystem}/{target.Name}@{target.Version}: {(int)response.StatusCode} {response.ReasonPhrase}");
                }
                return await ReadFindingsAsync(response, target, cancellationToken);
            }
        }
        throw new HttpRequestException($"The scanner still failed after {settings.MaxAttempts} attempts: {lastProblem}");
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

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static TimeSpan Backoff(HttpScannerOptions settings, int attempt) =>
        settings.BackoffBase * Math.Pow(2, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4));

    private static Task BackOffAsync(HttpScannerOptions settings, int attempt, CancellationToken cancellationToken) =>
        attempt < settings.MaxAttempts ? Task.Delay(Backoff(settings, attempt), cancellationToken) : Task.CompletedTask;

    [LoggerMessage(EventId = WorkerLogEventIds.HttpScannerThrottled, Level = LogLevel.Warning, Message = "Package scanner answered 429: all hosts pause for {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, double seconds);
}
