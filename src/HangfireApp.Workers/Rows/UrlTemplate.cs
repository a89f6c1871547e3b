using System.Text;
using HangfireApp.Batches.Outbound;

namespace HangfireApp.Workers.Rows;

/// <summary>A URL template that cannot be used with the CSV's columns; the message says what to fix.</summary>
public sealed class UrlTemplateException : Exception
{
    public UrlTemplateException()
    {
    }

    public UrlTemplateException(string message)
        : base(message)
    {
    }

    public UrlTemplateException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>
/// A request URL with <c>{column}</c> placeholders, e.g. <c>https://api.example.com/lookup?email={email}</c>,
/// checked once against the CSV's columns and rendered per row with every value percent-encoded (RFC 3986
/// data encoding, so a value can never add a query parameter or path segment). <c>{{</c> and <c>}}</c> are
/// literal braces. Column names match exactly (case-sensitive), surrounding spaces inside the braces aside.
/// </summary>
public sealed class UrlTemplate
{
    // The template split into literal text (Placeholder == null) and placeholders.
    private readonly List<(string Text, string? Placeholder)> _parts;

    private UrlTemplate(string template, List<(string, string?)> parts)
    {
        Template = template;
        _parts = parts;
    }

    /// <summary>The template as given.</summary>
    public string Template { get; }

    /// <summary>The distinct column names used, in template order.</summary>
    public IReadOnlyList<string> Placeholders => _parts.Where(p => p.Placeholder is not null).Select(p => p.Placeholder!).Distinct().ToList();

    /// <summary>Parses and checks a template against the columns a row will have.</summary>
    /// <exception cref="UrlTemplateException">
    /// Unbalanced braces, an empty placeholder, a placeholder that is not a column (the message lists the known
    /// columns), or a template that is not an absolute http(s) URL.
    /// </exception>
    public static UrlTemplate Parse(string template, IReadOnlyCollection<string> knownColumns)
    {
        if (!template.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
            && !template.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw new UrlTemplateException($"The URL template must start with http:// or https://: '{template}'.");
        }

        var parts = new List<(string, string?)>();
        var literal = new StringBuilder();
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                literal.Append(c);
                i++;
            }
            else if (c == '{')
            {
                var close = template.IndexOf('}', i + 1);
                var open = template.IndexOf('{', i + 1);
                if (close < 0 || (open >= 0 && open < close))
                {
                    throw new UrlTemplateException($"The '{{' at position {i + 1} of the URL template is not closed by '}}' (write '{{{{' for a literal brace).");
                }

                var name = template[(i + 1)..close].Trim();
                if (name.Length == 0)
                {
                    throw new UrlTemplateException($"The URL template has an empty placeholder '{{}}' at position {i + 1}.");
                }

                parts.Add((literal.ToString(), null));
                literal.Clear();
                parts.Add(("", name));
                i = close;
            }
            else if (c == '}')
            {
                throw new UrlTemplateException($"The '}}' at position {i + 1} of the URL template has no opening '{{' (write '}}}}' for a literal brace).");
            }
            else
            {
                literal.Append(c);
            }
        }

        parts.Add((literal.ToString(), null));
        var result = new UrlTemplate(template, parts);

        var unknown = result.Placeholders.Where(p => !knownColumns.Contains(p, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
        {
            throw new UrlTemplateException(
                $"The URL template uses unknown placeholder(s) {string.Join(", ", unknown.Select(u => "{" + u + "}"))}; the CSV's columns are: {string.Join(", ", knownColumns)}.");
        }

        result.Render(result.Placeholders.ToDictionary(p => p, _ => "x")); // throws if no valid URL comes out
        return result;
    }

    /// <summary>The URL for one row; each placeholder is replaced by its value, percent-encoded.</summary>
    /// <exception cref="UrlTemplateException">A placeholder has no value, or the result is not an absolute http(s) URL without credentials.</exception>
    public Uri Render(IReadOnlyDictionary<string, string> values)
    {
        var url = new StringBuilder();
        foreach (var (text, placeholder) in _parts)
        {
            if (placeholder is null)
            {
                url.Append(text);
            }
            else if (values.TryGetValue(placeholder, out var value))
            {
                url.Append(Uri.EscapeDataString(value));
            }
            else
            {
                throw new UrlTemplateException($"No value for placeholder {{{placeholder}}}; values given: {string.Join(", ", values.Keys)}.");
            }
        }

        if (!Uri.TryCreate(url.ToString(), UriKind.Absolute, out var uri))
        {
            throw new UrlTemplateException($"The URL template does not give an absolute URL: '{url}'.");
        }
        // Refused at submit (the check of Parse) what the outbound policy would refuse on every call: credentials in the URL.
        return OutboundRequest.WhyRefused(uri) is { } why ? throw new UrlTemplateException($"The URL {why}") : uri;
    }
}
