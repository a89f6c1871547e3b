using System.Diagnostics;
using System.Net.Http.Json;
using System.Net;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Scrape;

namespace HangfireApp.Tests.Scrape;

/// <summary>In the scrape collection so that they never run beside the other scrape tests' sites and timings.</summary>
[Collection(ScrapeTests.Name)]
public sealed class ScrapeGuardTests
{
    [Fact]
    public async Task SsrfGuard_RefusesLoopbackByAddressAndByName_WhenPrivateNetworksAreNotAllowed()
    {
        await using var site = await TestSite.StartAsync();
        site.Html("/", "secret@internal.example");
        var settings = ScrapeFixture.Settings();
        settings["WorkerTypes:scrape:AllowPrivateNetworks"] = "false";
        settings["WorkerTypes:scrape:Retry:Attempts"] = "1";
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, settings);
        using var api = app.ApiClient();
        var byName = new UriBuilder(site.Url("/")) { Host = "localhost" }.Uri;

        using var response = await api.PostAsJsonAsync("/api/scrape", new { urls = new[] { site.Url("/").ToString(), byName.ToString() } });
        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        using var submitted = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var id = submitted.RootElement.GetProperty("id").GetInt64();
        var batch = await api.WaitFinalAsync(id);

        batch.State.ShouldBe("failed");
        site.Paths.ShouldBeEmpty(); // not even robots.txt: the connection itself is refused
        using var items = System.Text.Json.JsonDocument.Parse(await api.GetStringAsync(new Uri($"/api/batches/{id}/items", UriKind.Relative)));
        foreach (var item in items.RootElement.GetProperty("items").EnumerateArray())
        {
            item.GetProperty("error").GetString()!.ShouldContain("refused");
            item.GetProperty("error").GetString()!.ShouldContain("loopback");
        }
    }

    [Fact]
    public async Task Redirects_AreCheckedAtEveryHop_SoARedirectToARefusedAddressIsRefused()
    {
        await using var site = await TestSite.StartAsync();
        // 127.0.0.2 stands for an internal address: this policy allows the test site's 127.0.0.1 and refuses it.
        var inside = new UriBuilder(site.Url("/internal")) { Host = "127.0.0.2" }.Uri;
        site.Redirect("/go", inside.ToString()).Html("/internal", "admin@internal.example");
        var options = new ScrapeOptions { RequestTimeout = TimeSpan.FromSeconds(2) };
        using var clients = ScrapeClients(allowed: "127.0.0.1");
        using var fetcher = new PageFetcher(options, new HostThrottle(2), clients.Create());
        var reader = new SiteReader(fetcher, new RobotsCache(fetcher, options), options);

        var refused = await Should.ThrowAsync<FetchException>(() => reader.ReadAsync(1, site.Url("/go"), CancellationToken.None));

        refused.Failure.ShouldBe(FetchFailure.Refused);
        refused.Message.ShouldContain("127.0.0.2 is loopback");
        site.Count("/go").ShouldBe(1);
        site.Count("/internal").ShouldBe(0);
        // The same reader follows a redirect that stays on allowed addresses.
        site.Redirect("/go-ok", "/internal");
        (await reader.ReadAsync(1, site.Url("/go-ok"), CancellationToken.None)).Text.ShouldBe("admin@internal.example");
    }

    [Fact]
    public async Task Fetcher_KeepsThePerHostConcurrencyAndDelay_AcrossCallers()
    {
        await using var site = await TestSite.StartAsync();
        site.Html("/page", "x@example.com", delayMs: 300); // long against the spacing: two overlap even on a loaded machine
        var options = new ScrapeOptions { RequestTimeout = TimeSpan.FromSeconds(5) };
        using var clients = ScrapeClients();
        using var fetcher = new PageFetcher(options, new HostThrottle(2), clients.Create());
        var clock = Stopwatch.StartNew();

        await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => fetcher.GetAsync(site.Url("/page"), TimeSpan.FromMilliseconds(50), CancellationToken.None)));

        site.PeakInFlight.ShouldBe(2);
        // 10 requests, 2 at a time, 300 ms each: at least 5 rounds of 300 ms.
        clock.ElapsedMilliseconds.ShouldBeGreaterThanOrEqualTo(1_450);
        var starts = site.Arrivals.Select(a => a.At).Order().ToList();
        // Arrivals jitter with connection set-up, so the spacing is checked over the whole run, not per gap.
        (starts[^1] - starts[0]).TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(400);
    }

    [Fact]
    public async Task Reader_ObeysCrawlDelay_ForItsUserAgent_UpToTheCap()
    {
        await using var site = await TestSite.StartAsync();
        site.Text("/robots.txt", "User-agent: Slowpoke\nCrawl-delay: 0.3\n\nUser-agent: *\nCrawl-delay: 60\n");
        for (var i = 0; i < 3; i++)
        {
            site.Html($"/p{i}", $"p{i}@example.com");
        }
        var options = new ScrapeOptions { UserAgent = "Slowpoke/1.0", PerHostDelay = TimeSpan.Zero, RequestTimeout = TimeSpan.FromSeconds(5) };
        using var clients = ScrapeClients();
        using var fetcher = new PageFetcher(options, new HostThrottle(4), clients.Create());
        var reader = new SiteReader(fetcher, new RobotsCache(fetcher, options), options);

        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => reader.ReadAsync(1, site.Url($"/p{i}"), CancellationToken.None)));

        var starts = site.Arrivals.Where(a => a.Path.StartsWith("/p", StringComparison.Ordinal)).Select(a => a.At).Order().ToList();
        starts.Count.ShouldBe(3);
        (starts[2] - starts[0]).TotalMilliseconds.ShouldBeGreaterThanOrEqualTo(550); // 2 × 300 ms, timer slack allowed

        // Another agent falls in the * group: 60 s asked, MaxCrawlDelay (here 0.5 s) obeyed.
        var capped = new ScrapeOptions { UserAgent = "Other", PerHostDelay = TimeSpan.Zero, MaxCrawlDelay = TimeSpan.FromMilliseconds(500), RequestTimeout = TimeSpan.FromSeconds(5) };
        using var otherFetcher = new PageFetcher(capped, new HostThrottle(4), clients.Create());
        var otherReader = new SiteReader(otherFetcher, new RobotsCache(otherFetcher, capped), capped);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => otherReader.ReadAsync(2, site.Url($"/p{i}"), CancellationToken.None)));
        clock.Elapsed.ShouldBeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950));
        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }

    /// <summary>Scrape's outbound client as its module registers it: one try, no redirects followed; the test sites allowed.</summary>
    private static OutboundClients ScrapeClients(string allowed = "127.0.0.0/8") => new(options =>
    {
        options.MaxAttempts = 1;
        options.FollowRedirects = false;
        options.AllowedNetworks = [allowed];
    });
}
