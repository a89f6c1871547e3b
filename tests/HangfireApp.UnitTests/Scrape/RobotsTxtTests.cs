using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

public sealed class RobotsTxtTests
{
    private const string Sample = """
        # Example robots.txt
        User-agent: *
        Disallow: /private/
        Allow: /private/public/
        Disallow: /*.pdf$
        Disallow: /search
        Allow: /search/about
        Crawl-delay: 2.5

        User-agent: HangfireBot
        User-Agent: other-bot
        Disallow: /no-bots
        Allow: /
        Crawl-delay: 10

        User-agent: BadBot
        Disallow: /

        Sitemap: https://example.com/sitemap.xml
        """;

    private static readonly RobotsTxt Robots = RobotsTxt.Parse(Sample);

    [Theory]
    [InlineData("SomeCrawler/1.0", "/", true)]
    [InlineData("SomeCrawler/1.0", "/private/", false)]
    [InlineData("SomeCrawler/1.0", "/private/secret.html", false)]
    [InlineData("SomeCrawler/1.0", "/private/public/page", true)]
    [InlineData("SomeCrawler/1.0", "/private", true)]
    [InlineData("SomeCrawler/1.0", "/files/report.pdf", false)]
    [InlineData("SomeCrawler/1.0", "/files/report.pdf?download=1", true)]
    [InlineData("SomeCrawler/1.0", "/files/report.pdfx", true)]
    [InlineData("SomeCrawler/1.0", "/search?q=x", false)]
    [InlineData("SomeCrawler/1.0", "/searching", false)]
    [InlineData("SomeCrawler/1.0", "/search/about", true)]
    [InlineData("HangfireBot/2.0 (+https://example.com/bot)", "/private/secret.html", true)]
    [InlineData("hangfirebot", "/no-bots/x", false)]
    [InlineData("Other-Bot/1", "/no-bots", false)]
    [InlineData("BadBot", "/anything", false)]
    [InlineData("BadBot", "/robots.txt", true)]
    [InlineData("BadBot", "", false)]
    public void IsAllowed_AppliesLongestMatchOfTheAgentsGroup_WhenRulesOverlap(string agent, string path, bool expected)
    {
        Robots.IsAllowed(agent, path).ShouldBe(expected);
    }

    [Fact]
    public void IsAllowed_UsesPathAndQuery_WhenGivenAbsoluteUrl()
    {
        Robots.IsAllowed("x", new Uri("https://example.com/search?q=1")).ShouldBeFalse();
        Robots.IsAllowed("x", new Uri("https://example.com/docs")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("/page", "/page", true)]
    [InlineData("/page", "/page.html", true)]
    [InlineData("/page$", "/page.html", false)]
    [InlineData("/page$", "/page", true)]
    [InlineData("/*/edit", "/users/1/edit", true)]
    [InlineData("/*/edit", "/edit", false)]
    [InlineData("*.gif$", "/a/b.gif", true)]
    [InlineData("/fish*", "/fish", true)]
    [InlineData("/fish*", "/Fish", false)]
    [InlineData("/a*b*c", "/aXbYc", true)]
    [InlineData("/a*b*c", "/aXcYb", false)]
    [InlineData("/$", "/", true)]
    [InlineData("/$", "/x", false)]
    [InlineData("/*a*a*a*a*a*a*a*a*a*a*b", "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac", false)]
    [InlineData("**/x", "/a/x", true)]
    [InlineData("", "/anything", true)]
    public void Matches_HandlesWildcardsAndAnchor_WhenPatternHasThem(string pattern, string path, bool expected)
    {
        RobotsTxt.Matches(pattern, path).ShouldBe(expected);
    }

    [Fact]
    public void IsAllowed_PrefersAllow_WhenMatchesAreEquallyLong()
    {
        var robots = RobotsTxt.Parse("User-agent: *\nDisallow: /page\nAllow: /page\n");

        robots.IsAllowed("x", "/page").ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("User-agent: *\nDisallow:\n")]
    [InlineData("Disallow: /\n")]
    [InlineData("User-agent: OnlyThisBot\nDisallow: /\n")]
    [InlineData("garbage line\n<html>not robots</html>")]
    public void IsAllowed_AllowsEverything_WhenNoRuleApplies(string content)
    {
        RobotsTxt.Parse(content).IsAllowed("MyBot", "/anything").ShouldBeTrue();
    }

    [Fact]
    public void Parse_MergesGroups_WhenAgentAppearsTwice()
    {
        var robots = RobotsTxt.Parse("User-agent: a\nDisallow: /x\n\nUser-agent: b\nDisallow: /y\n\nUser-agent: a\nDisallow: /z\n");

        robots.IsAllowed("a", "/x").ShouldBeFalse();
        robots.IsAllowed("a", "/z").ShouldBeFalse();
        robots.IsAllowed("a", "/y").ShouldBeTrue();
    }

    [Fact]
    public void Parse_HandlesCrLfAndComments_WhenFileIsFromWindows()
    {
        var robots = RobotsTxt.Parse("User-agent: * # everyone\r\nDisallow: /tmp # scratch\r\n");

        robots.IsAllowed("x", "/tmp/a").ShouldBeFalse();
    }

    [Theory]
    [InlineData("AnyBot", 2.5)]
    [InlineData("HangfireBot/1.0", 10.0)]
    public void CrawlDelay_ReturnsGroupsDelay_WhenSet(string agent, double seconds)
    {
        Robots.CrawlDelay(agent).ShouldBe(TimeSpan.FromSeconds(seconds));
    }

    [Fact]
    public void CrawlDelay_ReturnsNull_WhenGroupHasNone()
    {
        Robots.CrawlDelay("BadBot").ShouldBeNull();
        RobotsTxt.AllowAll.CrawlDelay("x").ShouldBeNull();
    }

    [Fact]
    public void Sitemaps_ListsSitemapLines_WhenPresent()
    {
        Robots.Sitemaps.ShouldBe(["https://example.com/sitemap.xml"]);
    }
}
