using System.Net;
using System.Text.RegularExpressions;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// Finds the links of an HTML page: the <c>href</c> of <c>&lt;a&gt;</c> and <c>&lt;area&gt;</c> elements,
/// entity-decoded and resolved against the page URL (or its <c>&lt;base href&gt;</c>), kept only when http or
/// https, with the fragment stripped, distinct, in document order. Links to the page itself (fragment-only
/// links) are dropped: they lead nowhere new.
/// </summary>
public static partial class LinkExtractor
{
    [GeneratedRegex(@"<(?<tag>a|area|base)\b(?<attrs>[^>]*)>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?:^|\s)href\s*=\s*(?:""(?<v>[^""]*)""|'(?<v>[^']*)'|(?<v>[^\s""'>]+))", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Href();

    /// <summary>The absolute http(s) links of <paramref name="html"/>, which was fetched from <paramref name="pageUrl"/>.</summary>
    public static IReadOnlyList<Uri> Extract(string html, Uri pageUrl)
    {
        if (!pageUrl.IsAbsoluteUri)
        {
            throw new ArgumentException("The page URL must be absolute.", nameof(pageUrl));
        }

        var baseUrl = pageUrl;
        var self = WithoutFragment(pageUrl);
        var links = new List<Uri>();
        var seen = new HashSet<Uri>();
        foreach (Match tag in Tag().Matches(html))
        {
            var href = Href().Match(tag.Groups["attrs"].Value);
            if (!href.Success)
            {
                continue;
            }

            var value = WebUtility.HtmlDecode(href.Groups["v"].Value).Trim();
            if (tag.Groups["tag"].Value.Equals("base", StringComparison.OrdinalIgnoreCase))
            {
                // Only the first <base> counts, and only an absolute http(s) one.
                if (ReferenceEquals(baseUrl, pageUrl) && Uri.TryCreate(pageUrl, value, out var b) && IsHttp(b))
                {
                    baseUrl = b;
                }

                continue;
            }

            if (value.Length == 0 || value.StartsWith('#') || !Uri.TryCreate(baseUrl, value, out var uri) || !IsHttp(uri))
            {
                continue;
            }

            uri = WithoutFragment(uri);
            if (uri != self && seen.Add(uri))
            {
                links.Add(uri);
            }
        }

        return links;
    }

    private static bool IsHttp(Uri uri) => uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;

    private static Uri WithoutFragment(Uri uri) =>
        uri.Fragment.Length == 0 ? uri : new UriBuilder(uri) { Fragment = "" }.Uri;
}
