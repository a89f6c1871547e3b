using System.Text.Json;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

public sealed class ScrapeRequestsTests
{
    private static readonly ScrapeOptions Options = new() { MaxUrlsPerRequest = 3, MaxDepthLimit = 2, MaxPagesLimit = 50 };

    private static ScrapeRequest Request(string urlsJson, FollowLinksRequest? follow = null) =>
        new(JsonDocument.Parse(urlsJson).RootElement.Clone(), follow, null, null, null);

    [Theory]
    [InlineData("[]", "urls")]
    [InlineData("\"https://example.com\"", "urls")]
    [InlineData("[\"https://a.example\", \"https://b.example\", \"https://c.example\", \"https://d.example\"]", "urls")]
    [InlineData("[\"ftp://example.com/file\"]", "urls[0]")]
    [InlineData("[\"https://example.com\", \"file:///etc/passwd\"]", "urls[1]")]
    [InlineData("[\"https://example.com\", \"javascript:alert(1)\"]", "urls[1]")]
    [InlineData("[\"/relative/path\"]", "urls[0]")]
    [InlineData("[42]", "urls[0]")]
    [InlineData("[\"https://user:secret@example.com/\"]", "urls[0]")]
    public void ToItems_RefusesTheRequest_NamingTheField(string urls, string field)
    {
        var error = Should.Throw<BatchRequestException>(() => ScrapeRequests.ToItems(Request(urls), Options));

        error.StatusCode.ShouldBe(400);
        error.Errors.Keys.ShouldContain(field);
    }

    [Theory]
    [InlineData(3, 10, "followLinks.maxDepth")]
    [InlineData(-1, 10, "followLinks.maxDepth")]
    [InlineData(1, 0, "followLinks.maxPages")]
    [InlineData(1, 51, "followLinks.maxPages")]
    public void ToItems_RefusesFollowLinksOutOfRange(int depth, int pages, string field)
    {
        var error = Should.Throw<BatchRequestException>(() =>
            ScrapeRequests.ToItems(Request("[\"https://example.com\"]", new FollowLinksRequest(null, depth, pages)), Options));

        error.Errors.Keys.ShouldBe([field]);
    }

    [Fact]
    public void ToItems_MakesOneItemPerDistinctUrl_WithTheCrawlSettings()
    {
        var items = ScrapeRequests.ToItems(
            Request("[\"https://example.com/a\", \" https://example.com/b \", \"https://example.com/a\"]", new FollowLinksRequest(false, 2, null)), Options);

        items.Count.ShouldBe(2);
        var first = items[0].Deserialize<ScrapeItem>(ScrapeHandler.Json)!;
        first.Url.ShouldBe("https://example.com/a");
        first.FollowLinks.ShouldBe(new FollowLinks(SameHostOnly: false, MaxDepth: 2, MaxPages: 20));
        items[1].Deserialize<ScrapeItem>(ScrapeHandler.Json)!.Url.ShouldBe("https://example.com/b");
    }

    [Fact]
    public void ToItems_LeavesFollowLinksOut_WhenNotAsked() =>
        ScrapeRequests.ToItems(Request("[\"http://example.com\"]"), Options).Single()
            .Deserialize<ScrapeItem>(ScrapeHandler.Json)!.FollowLinks.ShouldBeNull();
}
