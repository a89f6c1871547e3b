using System.Text.Json;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Scrape;

[Collection(ScrapeTests.Name)]
public sealed class ScrapeBatchTests(ScrapeFixture fixture)
{
    private static readonly string[] MixedPaths = ["/slow", "/huge", "/logo.png", "/old", "/loop"];

    [Fact]
    public async Task Scrape_FindsAddressesInTextMailtoAndObfuscations_DeduplicatedAcrossPagesAndItems()
    {
        await using var site = await TestSite.StartAsync();
        site.Html("/", """
                <p>Contact: alice@example.com</p>
                <a href="mailto:bob@example.org?subject=hi">write to Bob</a>
                <p>carol [at] example [dot] net</p>
                <a href="/about">about</a> <a href="/team#people">team</a>
                """)
            .Html("/about", """<p>alice@example.com again, or dave AT example DOT com</p><a href="/deep">deeper</a>""")
            .Text("/team", "Bob@Example.org handles support.")
            .Html("/deep", "eve@example.com");

        var (batch, csv) = await fixture.ScrapeAsync(new
        {
            urls = new[] { site.Url("/").ToString(), site.Url("/team").ToString() },
            followLinks = new { maxDepth = 1, maxPages = 10 },
        });

        batch.State.ShouldBe("succeeded");
        csv[0].ShouldBe(["address", "first_page", "page_count", "more_pages", "pages"]);
        var rows = csv.Skip(1).ToDictionary(row => row[0]);
        rows.Keys.ShouldBe(["alice@example.com", "bob@example.org", "carol@example.net", "dave@example.com"]);
        rows["alice@example.com"][1].ShouldBe(site.Url("/").ToString());
        rows["alice@example.com"][2].ShouldBe("2");
        rows["alice@example.com"][4].Split(' ').ShouldBe([site.Url("/").ToString(), site.Url("/about").ToString()], ignoreOrder: true);
        // Found by item 0 on its seed (mailto) and by item 1 as "Bob@Example.org": one address, first spelling kept.
        rows["bob@example.org"][1].ShouldBe(site.Url("/").ToString());
        rows["bob@example.org"][2].ShouldBe("2");
        rows["carol@example.net"][2].ShouldBe("1");
        rows["dave@example.com"][1].ShouldBe(site.Url("/about").ToString());
        site.Count("/deep").ShouldBe(0); // depth 2
        site.Count("/robots.txt").ShouldBe(1); // once per batch and site

        var items = await fixture.ItemsAsync(batch.Id);
        var seed = ScrapeFixture.Result(items[0]);
        seed.GetProperty("pagesRead").GetInt32().ShouldBe(3);
        seed.GetProperty("addressCount").GetInt32().ShouldBe(4);
    }

    [Fact]
    public async Task FollowLinks_StaysWithinDepthPagesAndHost()
    {
        await using var site = await TestSite.StartAsync();
        await using var other = await TestSite.StartAsync();
        var otherHost = new UriBuilder(other.Url("/elsewhere")) { Host = "localhost" }.Uri; // another host name
        site.Html("/", $"""
                <a href="/p1">1</a> <a href="/p2">2</a> <a href="/p3">3</a> <a href="{otherHost}">other</a>
                """)
            .Html("/p1", """p1@example.com <a href="/p1/deeper">deeper</a>""")
            .Html("/p2", "p2@example.com")
            .Html("/p3", "p3@example.com")
            .Html("/p1/deeper", "deep@example.com");
        other.Html("/elsewhere", "other@example.com");

        var (narrow, narrowCsv) = await fixture.ScrapeAsync(new { urls = new[] { site.Url("/").ToString() }, followLinks = new { maxDepth = 1, maxPages = 3 } });

        narrow.State.ShouldBe("succeeded");
        narrowCsv.Skip(1).Select(row => row[0]).ShouldBe(["p1@example.com", "p2@example.com"]); // seed + 2 pages, breadth first
        site.Count("/p3").ShouldBe(0);
        site.Count("/p1/deeper").ShouldBe(0);
        other.Paths.ShouldBeEmpty();

        // A seed that redirects to another host name: that host is the crawl's "same host" too.
        var moved = new UriBuilder(site.Url("/")) { Host = "localhost" }.Uri;
        site.Redirect("/moved", moved.ToString());
        var (redirected, redirectedCsv) = await fixture.ScrapeAsync(new { urls = new[] { site.Url("/moved").ToString() }, followLinks = new { maxDepth = 1, maxPages = 3 } });
        redirected.State.ShouldBe("succeeded");
        redirectedCsv.Skip(1).Select(row => row[0]).ShouldBe(["p1@example.com", "p2@example.com"]);
        redirectedCsv[1][1].ShouldStartWith("http://localhost:");

        var (wide, wideCsv) = await fixture.ScrapeAsync(new { urls = new[] { site.Url("/").ToString() }, followLinks = new { sameHostOnly = false, maxDepth = 2, maxPages = 20 } });

        wide.State.ShouldBe("succeeded");
        wideCsv.Skip(1).Select(row => row[0]).ShouldBe(
            ["deep@example.com", "other@example.com", "p1@example.com", "p2@example.com", "p3@example.com"], ignoreOrder: true);
        other.Count("/elsewhere").ShouldBe(1);
    }

    [Fact]
    public async Task Robots_DisallowedPagesAreNeverFetched_WithTheScrapersOwnGroup()
    {
        await using var site = await TestSite.StartAsync();
        site.Text("/robots.txt", """
                User-agent: *
                Disallow: /public-for-us

                User-agent: TestScraper
                Disallow: /secret
                """)
            .Html("/", """<a href="/secret/a">s</a> <a href="/public-for-us">p</a> home@example.com""")
            .Html("/secret/a", "hidden@example.com")
            .Html("/secret/b", "hidden2@example.com")
            .Html("/public-for-us", "open@example.com");

        var (batch, csv) = await fixture.ScrapeAsync(new
        {
            urls = new[] { site.Url("/").ToString(), site.Url("/secret/b").ToString() },
            followLinks = new { maxDepth = 1, maxPages = 10 },
        });

        batch.State.ShouldBe("succeeded");
        csv.Skip(1).Select(row => row[0]).ShouldBe(["home@example.com", "open@example.com"], ignoreOrder: true);
        site.Paths.ShouldNotContain(path => path.StartsWith("/secret", StringComparison.Ordinal));
        site.Count("/robots.txt").ShouldBe(1);
        var items = await fixture.ItemsAsync(batch.Id);
        var skippedSeed = ScrapeFixture.Result(items[1]);
        skippedSeed.GetProperty("pagesSkipped").GetInt32().ShouldBe(1);
        skippedSeed.GetProperty("notes")[0].GetProperty("note").GetString().ShouldBe("robots.txt disallows it");
    }

    [Fact]
    public async Task SlowPageTimesOut_HugePageIsCapped_NonTextIsSkipped_RedirectsAreFollowedAndBounded()
    {
        await using var site = await TestSite.StartAsync();
        var huge = "first@example.com " + new string('x', 200_000) + " last@example.com";
        site.Html("/slow", "late@example.com", delayMs: 3_000)
            .Html("/huge", huge)
            .Text("/logo.png", "png@example.com", "image/png")
            .Redirect("/old", "/new", 301)
            .Html("/new", "moved@example.com")
            .Redirect("/loop", "/loop");

        var (batch, csv) = await fixture.ScrapeAsync(new
        {
            urls = MixedPaths.Select(path => site.Url(path).ToString()),
        });

        batch.State.ShouldBe("completed_with_failures");
        csv.Skip(1).Select(row => row[0]).ShouldBe(["first@example.com", "moved@example.com"]);
        csv.Single(row => row[0] == "moved@example.com")[1].ShouldBe(site.Url("/new").ToString());
        var items = await fixture.ItemsAsync(batch.Id);
        items[0].GetProperty("state").GetString().ShouldBe("failed");
        items[0].GetProperty("error").GetString()!.ShouldContain("No complete answer within 1 s");
        ScrapeFixture.Result(items[1]).GetProperty("pagesTruncated").GetInt32().ShouldBe(1);
        ScrapeFixture.Result(items[2]).GetProperty("notes")[0].GetProperty("note").GetString().ShouldBe("not a text page (image/png)");
        items[3].GetProperty("state").GetString().ShouldBe("succeeded");
        items[4].GetProperty("state").GetString().ShouldBe("failed");
        items[4].GetProperty("error").GetString()!.ShouldContain("More than 5 redirects");
        items[4].GetProperty("attempts").GetInt32().ShouldBe(1); // a redirect loop is not retried
        site.Count("/loop").ShouldBe(6); // the first request and 5 redirects
        items[0].GetProperty("attempts").GetInt32().ShouldBe(2); // a timeout is
    }

    [Fact]
    public async Task ConsecutiveFetchErrors_StopTheChunk_AndItsUnrunItemsAreRetriedEvenAfterTheLastAttempt()
    {
        await using var site = await TestSite.StartAsync();
        var closed = TestSite.ClosedPort();
        site.Status("/busy", 429).Status("/boom", 503);
        for (var i = 5; i < 10; i++)
        {
            // Slow enough that no slow page answers before the fifth error stops the chunk, even on a loaded machine,
            // and below the 1 s request timeout.
            site.Html($"/ok-{i}", $"ok{i}@example.com", delayMs: 800);
        }
        string[] urls =
        [
            $"http://127.0.0.1:{closed}/a", site.Url("/busy").ToString(), site.Url("/boom").ToString(),
            $"http://127.0.0.1:{closed}/b", $"http://127.0.0.1:{closed}/c",
            .. Enumerable.Range(5, 5).Select(i => site.Url($"/ok-{i}").ToString()),
        ];
        var (batch, csv) = await fixture.ScrapeAsync(new { urls });

        // One chunk of 10, 4 in flight: items 0-4 fail fast, the fifth error stops the chunk before any slow page
        // answers. Run 1 (attempt 1) and run 2 (the last attempt) stop that way; run 2 failed items 0-4 for good,
        // so it gives its attempt back and run 3 runs items 5-9, which never failed and do not fail untried.
        batch.State.ShouldBe("completed_with_failures");
        batch.ItemCounts.Failed.ShouldBe(5);
        batch.ItemCounts.Succeeded.ShouldBe(5);
        csv.Skip(1).Select(row => row[0]).ShouldBe(Enumerable.Range(5, 5).Select(i => $"ok{i}@example.com"));
        var items = await fixture.ItemsAsync(batch.Id);
        foreach (var item in items.EnumerateArray().Take(5))
        {
            item.GetProperty("attempts").GetInt32().ShouldBe(2);
        }
        foreach (var item in items.EnumerateArray().Skip(5))
        {
            item.GetProperty("state").GetString().ShouldBe("succeeded");
            item.GetProperty("attempts").GetInt32().ShouldBe(1);
        }
        // Item 9 can only have started in the third run: its one request came after both earlier runs had reached
        // /busy. (Order, not time: the retry delays are measured from the engine's clock, not the test's.)
        var arrivals = site.Arrivals.Select(a => a.Path).ToList();
        site.Count("/ok-9").ShouldBe(1);
        arrivals.IndexOf("/ok-9").ShouldBeGreaterThan(arrivals.LastIndexOf("/busy"));
        site.Count("/busy").ShouldBe(2);
        using var chunks = JsonDocument.Parse(await fixture.Api.GetStringAsync(new Uri($"/api/batches/{batch.Id}/chunks", UriKind.Relative)));
        chunks.RootElement[0].GetProperty("attempt").GetInt32().ShouldBe(2);
    }

    [Fact]
    public async Task UnknownHosts_DoNotStopTheChunk_NorDoNotFoundPages()
    {
        await using var site = await TestSite.StartAsync();
        site.Html("/ok", "ok@example.com");
        string[] urls =
        [
            .. Enumerable.Range(0, 6).Select(i => $"http://no-such-host-{i}.invalid/"),
            site.Url("/ok").ToString(),
            site.Url("/missing").ToString(),
        ];

        var (batch, csv) = await fixture.ScrapeAsync(new { urls });

        batch.ItemCounts.Failed.ShouldBe(7);
        csv.Skip(1).Select(row => row[0]).ShouldBe(["ok@example.com"]);
        // Six failures in a row, none of them transient and none retryable: the chunk did not stop, so its one run
        // (attempt 1) finished every item. A stop would have needed a second run.
        using var chunks = JsonDocument.Parse(await fixture.Api.GetStringAsync(new Uri($"/api/batches/{batch.Id}/chunks", UriKind.Relative)));
        chunks.RootElement[0].GetProperty("attempt").GetInt32().ShouldBe(1);
        site.Count("/ok").ShouldBe(1);
        var items = await fixture.ItemsAsync(batch.Id);
        items[0].GetProperty("error").GetString()!.ShouldContain("Unknown host 'no-such-host-0.invalid'");
        items[7].GetProperty("error").GetString()!.ShouldContain("HTTP 404");
        // Neither is worth another attempt: both failed for good on the first.
        items[0].GetProperty("attempts").GetInt32().ShouldBe(1);
        items[7].GetProperty("attempts").GetInt32().ShouldBe(1);
        site.Count("/missing").ShouldBe(1);
    }

    [Theory]
    [InlineData("""{"urls":["ftp://example.com/file"]}""", "urls[0]")]
    [InlineData("""{"urls":["https://example.com","gopher://example.com"]}""", "urls[1]")]
    [InlineData("""{"urls":[]}""", "urls")]
    [InlineData("""{}""", "urls")]
    [InlineData("""{"urls":"https://example.com"}""", "urls")]
    [InlineData("""{"urls":["https://example.com"],"followLinks":{"maxDepth":99}}""", "followLinks.maxDepth")]
    [InlineData("""{"urls":["https://example.com"],"followLinks":{"maxPages":0}}""", "followLinks.maxPages")]
    [InlineData("""{"urls":["https://example.com"],"priority":"urgent"}""", "priority")]
    public async Task Submit_RefusesBadRequests_With400NamingTheField_AndWritesNothing(string body, string field)
    {
        var before = await fixture.Db.ScalarAsync("select count(*) from app.batches");
        using var content = new StringContent(body, System.Text.Encoding.UTF8, "application/json");

        using var response = await fixture.Api.PostAsync(new Uri("/api/scrape", UriKind.Relative), content);

        ((int)response.StatusCode).ShouldBe(400);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.RootElement.ToString());
        (await fixture.Db.ScalarAsync("select count(*) from app.batches")).ShouldBe(before);
    }

    [Fact]
    public async Task Submit_RefusesTooManyUrls()
    {
        var (status, problem) = await fixture.PostScrapeAsync(new { urls = Enumerable.Range(0, 101).Select(i => $"https://example.com/{i}") });

        status.ShouldBe(400);
        problem.GetProperty("errors").GetProperty("urls")[0].GetString()!.ShouldContain("At most 100 URLs");
    }
}
