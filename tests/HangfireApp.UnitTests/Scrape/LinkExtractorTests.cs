using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

public sealed class LinkExtractorTests
{
    private static readonly Uri Page = new("https://example.com/docs/intro.html?x=1#top");

    [Theory]
    [InlineData("<a href=\"/about\">", "https://example.com/about")]
    [InlineData("<a href=\"guide.html\">", "https://example.com/docs/guide.html")]
    [InlineData("<a href=\"../index.html\">", "https://example.com/index.html")]
    [InlineData("<a href=\"//cdn.example.net/x\">", "https://cdn.example.net/x")]
    [InlineData("<a href=\"http://other.example/page#section\">", "http://other.example/page")]
    [InlineData("<a href='?page=2'>", "https://example.com/docs/intro.html?page=2")]
    [InlineData("<a href=/unquoted>", "https://example.com/unquoted")]
    [InlineData("<A HREF = \" /spaced \" >", "https://example.com/spaced")]
    [InlineData("<a class=\"x\" href=\"/q?a=1&amp;b=2\">", "https://example.com/q?a=1&b=2")]
    [InlineData("<area shape=\"rect\" href=\"/map\">", "https://example.com/map")]
    public void Extract_ResolvesHref_WhenLinkIsRelativeOrAbsolute(string html, string expected)
    {
        LinkExtractor.Extract(html, Page).ShouldBe([new Uri(expected)]);
    }

    [Theory]
    [InlineData("<a href=\"mailto:a@example.com\">")]
    [InlineData("<a href=\"javascript:void(0)\">")]
    [InlineData("<a href=\"ftp://example.com/file\">")]
    [InlineData("<a href=\"tel:+123\">")]
    [InlineData("<a href=\"#section\">")]
    [InlineData("<a href=\"\">")]
    [InlineData("<a name=\"anchor\">")]
    [InlineData("<a data-href=\"/nope\">")]
    [InlineData("<link href=\"/style.css\" rel=\"stylesheet\">")]
    [InlineData("<a href=\"intro.html?x=1#other\">")]
    public void Extract_SkipsLink_WhenNotHttpOrSamePage(string html)
    {
        LinkExtractor.Extract(html, Page).ShouldBeEmpty();
    }

    [Fact]
    public void Extract_UsesBaseHref_WhenPageDeclaresBase()
    {
        const string html = """<head><base href="https://static.example.org/v2/"></head><a href="a.html">A</a><a href="/b">B</a>""";

        LinkExtractor.Extract(html, Page).ShouldBe([new Uri("https://static.example.org/v2/a.html"), new Uri("https://static.example.org/b")]);
    }

    [Fact]
    public void Extract_DeduplicatesInDocumentOrder_WhenLinksRepeat()
    {
        const string html = """<a href="/b">1</a><a href="/a#x">2</a><a href="https://example.com/b">3</a><a href="/a#y">4</a>""";

        LinkExtractor.Extract(html, Page).ShouldBe([new Uri("https://example.com/b"), new Uri("https://example.com/a")]);
    }

    [Fact]
    public void Extract_Throws_WhenPageUrlIsRelative()
    {
        Should.Throw<ArgumentException>(() => LinkExtractor.Extract("", new Uri("/x", UriKind.Relative)));
    }
}
