namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>
/// Makes text from a telemetry file storable: PostgreSQL's text cannot hold NUL (a <c>\u0000</c> escape), and a lone
/// UTF-16 surrogate cannot be encoded as UTF-8. Both become U+FFFD, so a player with an odd name costs the name, not
/// the match. (System.Text.Json itself refuses a lone surrogate escape: such a file fails as malformed.)
/// </summary>
internal static class SafeText
{
    public static string Clean(string text)
    {
        var bad = false;
        for (var i = 0; i < text.Length && !bad; i++)
        {
            bad = IsBad(text, i);
        }
        if (!bad)
        {
            return text;
        }
        return string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++)
            {
                span[i] = IsBad(source, i) ? '\uFFFD' : source[i];
            }
        });
    }

    private static bool IsBad(string text, int i)
    {
        var c = text[i];
        if (c == '\0')
        {
            return true;
        }
        if (char.IsHighSurrogate(c))
        {
            return i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]);
        }
        return char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(text[i - 1]));
    }
}
