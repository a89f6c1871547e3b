using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Scrape;

/// <summary>
/// One real host with the <c>scrape</c> worker type on its queue, private networks allowed (the test sites are
/// on 127.0.0.1), short timeouts, small chunks and a fast retry. Tests submit their own batches against their
/// own <see cref="TestSite"/>s, so nothing needs resetting between them.
/// </summary>
public sealed class ScrapeFixture : HostFixture
{
    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Queues:2"] = "scrape";
        settings["WorkerTypes:scrape:ChunkSize"] = "10";
        settings["WorkerTypes:scrape:MaxDegreeOfParallelism"] = "4";
        settings["WorkerTypes:scrape:ItemTimeout"] = "00:00:30";
        settings["WorkerTypes:scrape:Retry:Attempts"] = "2";
        settings["WorkerTypes:scrape:Retry:DelaysSeconds:0"] = "1";
        settings["WorkerTypes:scrape:AllowPrivateNetworks"] = "true";
        settings["WorkerTypes:scrape:RequestTimeout"] = "00:00:01";
        settings["WorkerTypes:scrape:PerHostDelay"] = "00:00:00";
        settings["WorkerTypes:scrape:PerHostConcurrency"] = "8";
        settings["WorkerTypes:scrape:MaxResponseBytes"] = "65536";
        settings["WorkerTypes:scrape:MaxUrlsPerRequest"] = "100";
        settings["WorkerTypes:scrape:UserAgent"] = "TestScraper/2.0 (+http://127.0.0.1/)";
        return settings;
    }

    protected override Dictionary<string, string?> HostSettings() => Settings();

    /// <summary>POSTs to <c>/api/scrape</c>: the status and the body (a batch, or ProblemDetails).</summary>
    public async Task<(int Status, JsonElement Body)> PostScrapeAsync(object body)
    {
        using var response = await Api.PostAsJsonAsync("/api/scrape", body);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Submits, waits for the batch to be final and for its output file, and returns both.</summary>
    public async Task<(BatchView Batch, List<string[]> Csv)> ScrapeAsync(object body)
    {
        var (status, batch) = await PostScrapeAsync(body);
        status.ShouldBe(202, batch.ToString());
        var id = batch.GetProperty("id").GetInt64();
        var final = await Api.WaitFinalAsync(id, TimeSpan.FromSeconds(90));
        var csv = await Eventually.Until(() => Api.GetAsync(new Uri($"/api/batches/{id}/output.csv", UriKind.Relative)),
            response => response.StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), $"the output of batch {id}");
        var text = await csv.Content.ReadAsStringAsync();
        csv.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        return (final, [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.TrimEnd('\r').Split(','))]);
    }

    public async Task<JsonElement> ItemsAsync(long batchId)
    {
        using var response = await Api.GetAsync(new Uri($"/api/batches/{batchId}/items", UriKind.Relative));
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items").Clone();
    }

    /// <summary>An item's result: the API carries it as JSON text.</summary>
    public static JsonElement Result(JsonElement item) =>
        JsonDocument.Parse(item.GetProperty("result").GetString()!).RootElement.Clone();
}

[CollectionDefinition(Name)]
public sealed class ScrapeTests : ICollectionFixture<ScrapeFixture>
{
    public const string Name = "scrape";
}

/// <summary>
/// A web site on 127.0.0.1 that a test scripts page by page: HTML pages, robots.txt, slow, failing, 429,
/// redirecting and huge answers. Unknown paths are 404. Records every request path and the peak number of
/// requests in flight.
/// </summary>
public sealed class TestSite : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Func<HttpContext, Task>> _routes = new(StringComparer.Ordinal);
    private LoopbackServer _server = null!;
    private int _inFlight;
    private int _peak;

    public ConcurrentQueue<string> Paths { get; } = new();

    /// <summary>When each request arrived, by path.</summary>
    public ConcurrentQueue<(string Path, DateTime At)> Arrivals { get; } = new();

    public int PeakInFlight => Volatile.Read(ref _peak);

    public Uri Base => _server.BaseAddress;

    public static async Task<TestSite> StartAsync()
    {
        var site = new TestSite();
        site._server = await LoopbackServer.StartAsync(async (context, _) =>
        {
            site.Paths.Enqueue(context.Request.Path + context.Request.QueryString);
            site.Arrivals.Enqueue((context.Request.Path, DateTime.UtcNow));
            var now = Interlocked.Increment(ref site._inFlight);
            int peak;
            while (now > (peak = Volatile.Read(ref site._peak)) && Interlocked.CompareExchange(ref site._peak, now, peak) != peak)
            {
            }
            try
            {
                if (site._routes.TryGetValue(context.Request.Path + context.Request.QueryString, out var route)
                    || site._routes.TryGetValue(context.Request.Path, out route))
                {
                    await route(context);
                }
                else
                {
                    context.Response.StatusCode = 404;
                }
            }
            finally
            {
                Interlocked.Decrement(ref site._inFlight);
            }
        });
        return site;
    }

    public Uri Url(string path) => new(Base, path);

    public int Count(string path) => Paths.Count(p => p == path);

    public TestSite Html(string path, string body, int delayMs = 0) => Route(path, async context =>
    {
        if (delayMs > 0)
        {
            await Task.Delay(delayMs, context.RequestAborted);
        }
        context.Response.ContentType = "text/html; charset=utf-8";
        await context.Response.WriteAsync(body, context.RequestAborted);
    });

    public TestSite Text(string path, string body, string contentType = "text/plain") => Route(path, async context =>
    {
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body);
    });

    public TestSite Status(string path, int status) => Route(path, context =>
    {
        context.Response.StatusCode = status;
        return Task.CompletedTask;
    });

    public TestSite Redirect(string path, string location, int status = 302) => Route(path, context =>
    {
        context.Response.StatusCode = status;
        context.Response.Headers.Location = location;
        return Task.CompletedTask;
    });

    public TestSite Route(string path, Func<HttpContext, Task> respond)
    {
        _routes[path] = respond;
        return this;
    }

    /// <summary>A port on 127.0.0.1 where nothing listens: connections are refused at once.</summary>
    public static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
