using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// Finds e-mail addresses in HTML or plain text: plain addresses, <c>mailto:</c> links (query stripped,
/// percent-decoded, several recipients split), HTML entities (<c>&amp;#64;</c>, <c>&amp;commat;</c>), JavaScript
/// escapes (<c>\u0040</c>) and the common obfuscations <c>name [at] example [dot] com</c> (with <c>()</c>,
/// <c>{}</c>, <c>&lt;&gt;</c> too) and <c>name AT example DOT com</c> (upper case only, so ordinary prose
/// like "look at example.com" is left alone).
/// </summary>
/// <remarks>
/// False positives avoided: a domain must end in an alphabetic label of 2+ letters that is not a file
/// extension (<c>logo@2x.png</c>, <c>lodash@4.17.21</c> are not addresses); trailing punctuation is not part
/// of an address. Results keep the local part as written (it may be case-sensitive) and lowercase the
/// domain; duplicates are dropped, first occurrence order is kept, mailto links first.
/// Pages are untrusted: every pattern has a 2 s match timeout, so a pathological page fails its item with a
/// <see cref="RegexMatchTimeoutException"/> instead of stalling a worker.
/// </remarks>
public static partial class EmailExtractor
{
    private static readonly HashSet<string> FileExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "tif", "tiff", "heic",
        "css", "js", "mjs", "map", "json", "xml", "html", "htm", "php", "asp", "aspx",
        "woff", "woff2", "ttf", "otf", "eot", "mp3", "mp4", "webm", "ogg", "wav", "pdf", "zip", "gz", "txt",
    };

    // No '%' in the local part: percent-encoded text ("%20john@…") would otherwise glue onto it.
    [GeneratedRegex(
        @"(?<![A-Za-z0-9._+\-])(?<local>[A-Za-z0-9](?:[A-Za-z0-9._+\-]*[A-Za-z0-9_+\-])?)@(?<domain>(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9\-]|\.[A-Za-z0-9])",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Address();

    [GeneratedRegex(@"mailto:(?<to>[^""'<>\s]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Mailto();

    [GeneratedRegex(@"\s*(?:\[\s*at\s*\]|\(\s*at\s*\)|\{\s*at\s*\}|<\s*at\s*>)\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex BracketedAt();

    [GeneratedRegex(@"\s*(?:\[\s*dot\s*\]|\(\s*dot\s*\)|\{\s*dot\s*\}|<\s*dot\s*>)\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex BracketedDot();

    // Bare upper-case AT/DOT only count when they form a whole address: local AT label (DOT label)+.
    [GeneratedRegex(@"\b(?<local>[A-Za-z0-9._+\-]+)\s+AT\s+(?<domain>[A-Za-z0-9\-]+(?:\s+DOT\s+[A-Za-z0-9\-]+)+)\b", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SpelledOut();

    [GeneratedRegex(@"\s+DOT\s+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SpelledDot();

    [GeneratedRegex(@"\\u(?<hex>[0-9a-fA-F]{4})", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex JsEscape();

    /// <summary>The distinct addresses found in <paramref name="content"/> (HTML or text).</summary>
    public static IReadOnlyList<string> Extract(string content)
    {
        var found = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string candidate)
        {
            foreach (Match m in Address().Matches(candidate))
            {
                var domain = m.Groups["domain"].Value;
                var local = m.Groups["local"].Value;
                var tld = domain[(domain.LastIndexOf('.') + 1)..];
                if (FileExtensions.Contains(tld) || local.Contains("..", StringComparison.Ordinal)
                    || local.Length > 64 || local.Length + domain.Length > 253)
                {
                    continue;
                }

                var address = local + "@" + domain.ToLowerInvariant();
                if (seen.Add(address))
                {
                    found.Add(address);
                }
            }
        }

        var text = Decode(content);
        foreach (Match m in Mailto().Matches(text))
        {
            var to = m.Groups["to"].Value;
            var query = to.IndexOf('?', StringComparison.Ordinal);
            to = query >= 0 ? to[..query] : to;
            foreach (var recipient in Uri.UnescapeDataString(to).Split(',', ';'))
            {
                Add(recipient.Trim());
            }
        }

        // The raw hrefs were read above; scanning them again would find "20john@…" in "mailto:%20john@…".
        text = Mailto().Replace(text, " ");
        text = BracketedAt().Replace(text, "@");
        text = BracketedDot().Replace(text, ".");
        text = SpelledOut().Replace(text, m => m.Groups["local"].Value + "@" + SpelledDot().Replace(m.Groups["domain"].Value, "."));
        Add(text);
        return found;
    }

    private static string Decode(string content)
    {
        // HtmlDecode knows the HTML 4 entities and numeric references; these two are HTML 5 only.
        var text = content
            .Replace("&commat;", "@", StringComparison.OrdinalIgnoreCase)
            .Replace("&period;", ".", StringComparison.OrdinalIgnoreCase);
        text = WebUtility.HtmlDecode(text);
        return JsEscape().Replace(text, m => ((char)int.Parse(m.Groups["hex"].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString());
    }
}
