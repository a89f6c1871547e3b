using System.Security.Cryptography;
using System.Text;
using HangfireApp.Batches.Metrics;
using Microsoft.Extensions.Options;
using Prometheus;

namespace HangfireApp.Metrics;

/// <summary>
/// <c>GET /metrics</c> in Prometheus' text format, all from prometheus-net: the engine's <c>hangfireapp_*</c> metrics
/// and cluster gauges (this host's registry), then prometheus-net's process-wide defaults — process and GC
/// statistics, the .NET Meters it bridges (<c>System.Runtime</c>, <c>Microsoft.AspNetCore.Hosting</c>, Kestrel,
/// Npgsql) — and its ASP.NET Core request metrics (<c>http_requests_received_total</c>,
/// <c>http_request_duration_seconds</c> by endpoint). Anonymous unless <c>Metrics:ScrapeKeySha256</c> is set.
/// </summary>
public static class MetricsSetup
{
    public const string Path = "/metrics";

    /// <summary>Request counts and durations per endpoint (route pattern, never ids), recorded for every request.</summary>
    public static WebApplication UseRequestMetrics(this WebApplication app)
    {
        app.UseHttpMetrics(options => options.ReduceStatusCodeCardinality());
        return app;
    }

    public static WebApplication MapMetrics(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<IOptions<MetricsOptions>>().Value.Enabled)
        {
            return app;
        }
        app.MapGet(Path, ScrapeAsync).ExcludeFromDescription();
        return app;
    }

    private static async Task ScrapeAsync(HttpContext http, ClusterGauges gauges, EngineMetrics metrics, IOptions<MetricsOptions> options)
    {
        if (!Authorized(http.Request, options.Value.ScrapeKeySha256))
        {
            http.Response.StatusCode = StatusCodes.Status401Unauthorized;
            http.Response.Headers.WWWAuthenticate = "Bearer realm=\"metrics\"";
            return;
        }
        await gauges.ReadAsync(http.RequestAborted);
        http.Response.ContentType = "text/plain; version=0.0.4; charset=utf-8";
        await metrics.Registry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
        await Prometheus.Metrics.DefaultRegistry.CollectAndExportAsTextAsync(http.Response.Body, http.RequestAborted);
    }

    /// <summary>With a scrape key configured, the request must carry it (Bearer or X-Api-Key); compared by hash in
    /// constant time, as API keys are.</summary>
    private static bool Authorized(HttpRequest request, string? keySha256)
    {
        if (string.IsNullOrEmpty(keySha256))
        {
            return true;
        }
        var header = request.Headers.Authorization.ToString();
        var key = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : request.Headers["X-Api-Key"].ToString();
        if (key.Length == 0)
        {
            return false;
        }
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return CryptographicOperations.FixedTimeEquals(hash, Convert.FromHexString(keySha256));
    }
}
