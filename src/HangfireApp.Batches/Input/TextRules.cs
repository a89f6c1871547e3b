using HangfireApp.Batches.Submit;

namespace HangfireApp.Batches.Input;

/// <summary>
/// The one rule for text a client sends that may end up in PostgreSQL (a column, a jsonb document, a Hangfire job
/// argument): no NUL character (PostgreSQL's text and jsonb cannot hold U+0000: errors 22021 and 22P05) and no lone
/// UTF-16 surrogate (not Unicode at all: jsonb refuses <c>"\ud800"</c> with 22P02). Applied where input enters — the
/// API's JSON bodies, query strings and forms, the CSV, OSV and SBOM readers — so that bad text is a 400 naming the
/// field, never a 500 from the database after half the work is done. Other control characters are valid text.
/// </summary>
public static class TextRules
{
    public const string NulMessage = "must not contain the NUL character (U+0000): PostgreSQL text cannot hold it.";

    /// <summary>Why <paramref name="text"/> breaks the rule, or null when it is fine.</summary>
    public static string? Problem(ReadOnlySpan<char> text)
    {
        if (text.Contains('\0'))
        {
            return NulMessage;
        }
        var at = text.IndexOfAnyInRange('\ud800', '\udfff');
        while (at >= 0)
        {
            if (!char.IsHighSurrogate(text[at]) || at + 1 >= text.Length || !char.IsLowSurrogate(text[at + 1]))
            {
                return $"must not contain a lone UTF-16 surrogate (\\u{(int)text[at]:x4} at character {at}): it is not valid Unicode.";
            }
            var next = text[(at + 2)..].IndexOfAnyInRange('\ud800', '\udfff');
            at = next < 0 ? -1 : at + 2 + next;
        }
        return null;
    }

    /// <summary>True when <paramref name="text"/> (null included) follows the rule.</summary>
    public static bool IsValid(ReadOnlySpan<char> text) => Problem(text) is null;

    /// <summary>Throws a 400 naming <paramref name="field"/> when <paramref name="text"/> breaks the rule.</summary>
    public static void Check(string? text, string field)
    {
        if (text is not null && Problem(text) is { } problem)
        {
            throw BatchRequestException.Field(field, $"{field} {problem}");
        }
    }
}
