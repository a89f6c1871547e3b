using System.Text.RegularExpressions;

namespace HangfireApp.Batches.Errors;

/// <summary>
/// Groups failures that are "the same error": the exception type plus its message with the parts that
/// vary per item (quoted values, URLs, GUIDs, hex ids, numbers) replaced by placeholders.
/// </summary>
public static partial class ErrorFingerprint
{
    public static string Of(Exception exception) => Of(exception.GetType().Name, exception.Message);

    public static string Of(string type, string message)
    {
        var normalised = message;
        normalised = Quoted().Replace(normalised, "<value>");
        normalised = Url().Replace(normalised, "<url>");
        normalised = Guid().Replace(normalised, "<id>");
        normalised = HexId().Replace(normalised, "<id>");
        normalised = Number().Replace(normalised, "<n>");
        normalised = Spaces().Replace(normalised, " ").Trim();
        if (normalised.Length > 300)
        {
            normalised = normalised[..300];
        }
        return $"{type}: {normalised}";
    }

    [GeneratedRegex("""("[^"]*"|'[^']*'|`[^`]*`)""")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"\b[a-z][a-z0-9+.-]*://\S+", RegexOptions.IgnoreCase)]
    private static partial Regex Url();

    [GeneratedRegex(@"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", RegexOptions.IgnoreCase)]
    private static partial Regex Guid();

    [GeneratedRegex(@"\b(0x)?[0-9a-f]*[0-9][0-9a-f]*[a-f][0-9a-f]*\b|\b[0-9a-f]*[a-f][0-9a-f]*[0-9][0-9a-f]*\b", RegexOptions.IgnoreCase)]
    private static partial Regex HexId();

    [GeneratedRegex(@"[-+]?\d+([.,:]\d+)*")]
    private static partial Regex Number();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
