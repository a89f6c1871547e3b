using System.Globalization;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// A parsed robots.txt (RFC 9309): groups of <c>User-agent</c> lines with their <c>Allow</c>/<c>Disallow</c>
/// rules and <c>Crawl-delay</c>. Evaluation: the crawler uses the groups whose user-agent equals its product
/// token (case-insensitive; all such groups merged), else the <c>*</c> groups, else everything is allowed.
/// Among the rules matching a path the longest pattern wins, Allow on a tie; <c>*</c> matches any run of
/// characters and a trailing <c>$</c> anchors the end. An empty <c>Disallow</c> allows everything;
/// <c>/robots.txt</c> itself is always allowed.
/// </summary>
public sealed class RobotsTxt
{
    private sealed record Rule(bool Allow, string Pattern);

    private sealed class Group
    {
        public List<string> Agents { get; } = [];

        public List<Rule> Rules { get; } = [];

        public double? CrawlDelay { get; set; }
    }

    private readonly List<Group> _groups;

    private RobotsTxt(List<Group> groups, List<string> sitemaps)
    {
        _groups = groups;
        Sitemaps = sitemaps;
    }

    /// <summary>An empty file: everything allowed, as when robots.txt is missing (HTTP 404).</summary>
    public static RobotsTxt AllowAll { get; } = new([], []);

    /// <summary>The <c>Sitemap</c> URLs the file lists, whatever group they appear in.</summary>
    public IReadOnlyList<string> Sitemaps { get; }

    /// <summary>Parses robots.txt content; unknown lines and malformed values are ignored, as the RFC asks.</summary>
    public static RobotsTxt Parse(string content)
    {
        var groups = new List<Group>();
        var sitemaps = new List<string>();
        Group? current = null;
        var lastWasAgent = false;
        foreach (var rawLine in content.Split('\n'))
        {
            var hash = rawLine.IndexOf('#', StringComparison.Ordinal);
            var line = (hash >= 0 ? rawLine[..hash] : rawLine).Trim();
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim().ToUpperInvariant();
            var value = line[(colon + 1)..].Trim();
            switch (key)
            {
                case "USER-AGENT":
                    // Consecutive user-agent lines share one group; one after rules starts a new group.
                    if (current is null || !lastWasAgent)
                    {
                        current = new Group();
                        groups.Add(current);
                    }

                    current.Agents.Add(value.ToUpperInvariant());
                    lastWasAgent = true;
                    continue;
                case "ALLOW" or "DISALLOW" when current is not null:
                    if (value.Length > 0)
                    {
                        current.Rules.Add(new Rule(key == "ALLOW", value));
                    }

                    break;
                case "CRAWL-DELAY" when current is not null:
                    if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && double.IsFinite(seconds))
                    {
                        current.CrawlDelay = seconds;
                    }

                    break;
                case "SITEMAP":
                    sitemaps.Add(value);
                    break;
            }

            lastWasAgent = false;
        }

        return new RobotsTxt(groups, sitemaps);
    }

    /// <summary>
    /// Whether <paramref name="userAgent"/> may fetch <paramref name="url"/> (its path and query are matched).
    /// <paramref name="userAgent"/> may be a full header value: its product token (<c>MyBot</c> of
    /// <c>MyBot/1.2 (+https://…)</c>) is what groups are matched against.
    /// </summary>
    public bool IsAllowed(string userAgent, Uri url)
    {
        var path = url.IsAbsoluteUri ? url.PathAndQuery : url.OriginalString;
        return IsAllowed(userAgent, path);
    }

    /// <summary>Whether <paramref name="userAgent"/> may fetch <paramref name="pathAndQuery"/> (starting with <c>/</c>).</summary>
    public bool IsAllowed(string userAgent, string pathAndQuery)
    {
        if (pathAndQuery.Length == 0)
        {
            pathAndQuery = "/";
        }

        if (pathAndQuery.Equals("/robots.txt", StringComparison.Ordinal))
        {
            return true;
        }

        Rule? best = null;
        foreach (var rule in GroupsFor(userAgent).SelectMany(g => g.Rules))
        {
            if (!Matches(rule.Pattern, pathAndQuery))
            {
                continue;
            }

            if (best is null || rule.Pattern.Length > best.Pattern.Length
                || (rule.Pattern.Length == best.Pattern.Length && rule.Allow))
            {
                best = rule;
            }
        }

        return best?.Allow ?? true;
    }

    /// <summary>The <c>Crawl-delay</c> of the groups that apply to <paramref name="userAgent"/>, or null.</summary>
    /// A site may write any number (<c>Crawl-delay: 1e400</c> overflowed a TimeSpan and failed the seed): it is capped
    /// at a day here, and the crawler caps it further at <c>MaxCrawlDelay</c>.
    public TimeSpan? CrawlDelay(string userAgent) =>
        GroupsFor(userAgent).Select(g => g.CrawlDelay).FirstOrDefault(d => d is not null) is { } seconds
            ? TimeSpan.FromSeconds(Math.Min(seconds, MaxCrawlDelaySeconds))
            : null;

    private const double MaxCrawlDelaySeconds = 86_400;

    private List<Group> GroupsFor(string userAgent)
    {
        var token = ProductToken(userAgent);
        var own = _groups.Where(g => g.Agents.Contains(token)).ToList();
        return own.Count > 0 ? own : _groups.Where(g => g.Agents.Contains("*")).ToList();
    }

    private static string ProductToken(string userAgent)
    {
        var end = userAgent.IndexOfAny(['/', ' ', ';', '(']);
        return (end >= 0 ? userAgent[..end] : userAgent).Trim().ToUpperInvariant();
    }

    /// <summary>Matches a robots pattern against the start of a path: <c>*</c> is any run, a final <c>$</c> the end.</summary>
    public static bool Matches(string pattern, string path)
    {
        // A pattern matches a prefix of the path, i.e. "pattern*" matches the whole path, unless '$' anchors it.
        pattern = pattern.EndsWith('$') ? pattern[..^1] : pattern + "*";

        // Classic glob matching that only ever backtracks to the last '*': O(pattern × path) at worst, where
        // naive recursion is exponential on hostile patterns such as "/*a*a*a*a*b".
        int p = 0, i = 0, star = -1, resume = 0;
        while (i < path.Length)
        {
            if (p < pattern.Length && pattern[p] == '*')
            {
                star = p++;
                resume = i;
            }
            else if (p < pattern.Length && pattern[p] == path[i])
            {
                p++;
                i++;
            }
            else if (star >= 0)
            {
                p = star + 1;
                i = ++resume;
            }
            else
            {
                return false;
            }
        }

        while (p < pattern.Length && pattern[p] == '*')
        {
            p++;
        }

        return p == pattern.Length;
    }
}
