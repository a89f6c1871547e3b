using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--scrape</c>: N pages with a fixed latency on a local web site that answers on H loopback addresses
/// (127.0.0.1 … 127.0.0.H, each its own host for the per-host politeness), scraped by the host process through
/// <c>POST /api/scrape</c> at the default politeness settings, against the old way in the same run: the same
/// pages fetched one at a time in one loop. Also: the same batch with politeness off (the engine's own
/// ceiling), and pages from a single host (politeness bound: at most 1 / PerHostDelay pages per second).
/// </summary>
internal static class ScrapeBench
{
    public static async Task<int> RunAsync(string server, int pages, int hosts, int latencyMs)
    {
        Console.WriteLine($"## Scrape benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        var port = FreePort();
        await using var site = await StartSiteAsync(port, hosts, latencyMs);
        var urls = Enumerable.Range(0, pages).Select(i => $"http://127.0.0.{1 + (i % hosts)}:{port}/page/{i}").ToArray();
        Console.WriteLine($"- Site: {pages:N0} pages on {hosts} hosts (127.0.0.1-{hosts}), {latencyMs} ms latency each, two addresses per page (one shared)");

        // The old way: one page after another, same HTTP stack defaults, no politeness delay.
        using (var client = new HttpClient())
        {
            var sequential = Stopwatch.StartNew();
            foreach (var url in urls)
            {
                using var response = await client.GetAsync(new Uri(url));
                await response.Content.ReadAsStringAsync();
            }
            var rate = pages / sequential.Elapsed.TotalSeconds;
            Console.WriteLine($"- Baseline, one at a time: {sequential.Elapsed.TotalSeconds:0.0} s, **{rate:0.0} pages/s**");
            var polite = await RunBatchAsync(server, urls, "default politeness (2 per host, 250 ms apart)", new());
            Console.WriteLine($"  → engine at default politeness / baseline = **{polite / rate:0.0}×**");
            await RunBatchAsync(server, urls, "politeness off (64 per host, no delay)", new()
            {
                ["WorkerTypes:scrape:PerHostConcurrency"] = "64",
                ["WorkerTypes:scrape:PerHostDelay"] = "00:00:00",
            });
            var single = urls.Take(100).Select(url => new UriBuilder(url) { Host = "127.0.0.1" }.Uri.ToString()).Distinct().ToArray();
            await RunBatchAsync(server, single, "default politeness, all on ONE host", new());
        }
        return 0;
    }

    private static async Task<double> RunBatchAsync(string server, string[] urls, string label, Dictionary<string, string> extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["WorkerTypes:bench:Enabled"] = "false",
            ["WorkerTypes:packages:Enabled"] = "false",
            ["WorkerTypes:scrape:AllowPrivateNetworks"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        await using var host = await BenchHost.StartAsync(server, settings);
        var clock = Stopwatch.StartNew();
        using var content = JsonContent.Create(new { urls });
        var batch = await host.PostAsync("/api/scrape", content);
        var id = batch.GetProperty("id").GetInt64();
        await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
        var seconds = clock.Elapsed.TotalSeconds;
        var succeeded = await host.ScalarAsync<long>("select count(*) from app.items where batch_id = @id and state = 'succeeded'", id);
        var addresses = await host.ScalarAsync<long>("select count(*) from app.scrape_addresses where batch_id = @id", id);
        var rate = urls.Length / seconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- Engine, {label}: {urls.Length:N0} pages in {seconds:0.0} s, **{rate:0.0} pages/s** ({succeeded} items succeeded, {addresses} distinct addresses, peak RSS {host.PeakRssMb()} MB)"));
        return rate;
    }

    private static async Task<WebApplication> StartSiteAsync(int port, int hosts, int latencyMs)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            for (var i = 1; i <= hosts; i++)
            {
                kestrel.Listen(IPAddress.Parse($"127.0.0.{i}"), port);
            }
        });
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.Run(async context =>
        {
            if (context.Request.Path == "/robots.txt")
            {
                context.Response.StatusCode = 404;
                return;
            }
            await Task.Delay(latencyMs);
            context.Response.ContentType = "text/html; charset=utf-8";
            var n = context.Request.Path.Value!.Split('/')[^1];
            await context.Response.WriteAsync($"<html><body><p>Write to user{n}@example.com or info [at] example [dot] com.</p></body></html>");
        });
        await app.StartAsync();
        return app;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
