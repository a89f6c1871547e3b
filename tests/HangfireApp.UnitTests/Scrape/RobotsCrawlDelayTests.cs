using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

/// <summary>Found by the parser fuzz test: a site's <c>Crawl-delay: 1e400</c> overflowed a TimeSpan and failed its seed.</summary>
public sealed class RobotsCrawlDelayTests
{
    [Theory]
    [InlineData("1e400", null)]
    [InlineData("Infinity", null)]
    [InlineData("NaN", null)]
    [InlineData("1e12", 86_400.0)]
    [InlineData("2.5", 2.5)]
    public void CrawlDelay_IsFiniteAndAtMostADay_WhateverTheSiteWrites(string value, double? seconds) =>
        RobotsTxt.Parse($"User-agent: *\nCrawl-delay: {value}\n").CrawlDelay("HangfireAppScraper")
            .ShouldBe(seconds is { } s ? TimeSpan.FromSeconds(s) : null);
}
