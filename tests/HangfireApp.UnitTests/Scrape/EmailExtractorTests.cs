using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Scrape;

public sealed class EmailExtractorTests
{
    [Theory]
    [InlineData("Write to john.doe@example.com today", "john.doe@example.com")]
    [InlineData("Mail: Jane@Example.COM.", "Jane@example.com")]
    [InlineData("(support@example.org)", "support@example.org")]
    [InlineData("<info@example.co.uk>,", "info@example.co.uk")]
    [InlineData("first+tag@sub.example.io;", "first+tag@sub.example.io")]
    [InlineData("o'neil is not matched but a_b-c@ex-ample.com is", "a_b-c@ex-ample.com")]
    [InlineData("<a href=\"mailto:sales@example.com\">Sales</a>", "sales@example.com")]
    [InlineData("<a href='MAILTO:sales@example.com?subject=Hello%20there&body=x'>x</a>", "sales@example.com")]
    [InlineData("<a href=\"mailto:sales%40example.com\">x</a>", "sales@example.com")]
    [InlineData("<a href=\"mailto:%20sales@example.com\">x</a>", "sales@example.com")]
    [InlineData("contact&#64;example.com", "contact@example.com")]
    [InlineData("contact&#x40;example&#46;com", "contact@example.com")]
    [InlineData("contact&commat;example&period;com", "contact@example.com")]
    [InlineData("var e = \"contact\\u0040example.com\";", "contact@example.com")]
    [InlineData("name [at] example [dot] com", "name@example.com")]
    [InlineData("name[at]example[dot]com", "name@example.com")]
    [InlineData("name (at) example (dot) com", "name@example.com")]
    [InlineData("name {at} example {dot} co {dot} uk", "name@example.co.uk")]
    [InlineData("name <at> example <dot> com", "name@example.com")]
    [InlineData("name [AT] example [DOT] com", "name@example.com")]
    [InlineData("name AT example DOT com", "name@example.com")]
    [InlineData("name [at] example.com", "name@example.com")]
    [InlineData("info@example.museum", "info@example.museum")]
    public void Extract_FindsOneAddress_WhenTextHasOne(string content, string expected)
    {
        EmailExtractor.Extract(content).ShouldBe([expected]);
    }

    [Theory]
    [InlineData("<img src=\"logo@2x.png\" srcset=\"logo@3x.webp 3x\">")]
    [InlineData("npm install lodash@4.17.21")]
    [InlineData("pip install django@3.2.4")]
    [InlineData("user@localhost")]
    [InlineData("user@example.c")]
    [InlineData("@example.com")]
    [InlineData("look at example dot com for details")]
    [InlineData("meet me (at) noon")]
    [InlineData("a..b@example.com")]
    [InlineData("style.css?v=1@media.css")]
    [InlineData("")]
    public void Extract_FindsNothing_WhenTextOnlyLooksLikeAddress(string content)
    {
        EmailExtractor.Extract(content).ShouldBeEmpty();
    }

    [Fact]
    public void Extract_DeduplicatesByNormalizedAddress_WhenAddressRepeats()
    {
        const string html = """
            <a href="mailto:Team@Example.com">Team@EXAMPLE.com</a>
            <p>team@example.com, Team@example.com</p>
            """;

        EmailExtractor.Extract(html).ShouldBe(["Team@example.com", "team@example.com"]);
    }

    [Fact]
    public void Extract_SplitsRecipients_WhenMailtoHasSeveral()
    {
        EmailExtractor.Extract("<a href=\"mailto:a@example.com,b@example.com?cc=c@example.com\">x</a>")
            .ShouldBe(["a@example.com", "b@example.com"]);
    }

    [Fact]
    public void Extract_ListsMailtoFirstThenTextOrder_WhenPageMixesForms()
    {
        const string html = """
            <html><body>
            <p>Sales: sales@shop.example</p>
            <p>Press: press [at] shop [dot] example</p>
            <footer>&copy; 2024 &middot; jobs&#64;shop.example &middot; <a href="mailto:help@shop.example?subject=Hi">help</a></footer>
            </body></html>
            """;

        EmailExtractor.Extract(html).ShouldBe(["help@shop.example", "sales@shop.example", "press@shop.example", "jobs@shop.example"]);
    }

    [Fact]
    public void Extract_FindsAddressAfterBlob_WhenPageInlinesLargeData()
    {
        var blob = string.Concat(Enumerable.Repeat("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJ+/a.b-c_", 5_000));
        var html = $"<img src=\"data:image/png;base64,{blob}\"> write to owner@example.com";

        EmailExtractor.Extract(html).ShouldBe(["owner@example.com"]);
    }
}
