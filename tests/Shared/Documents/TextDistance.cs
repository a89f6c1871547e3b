namespace HangfireApp.TestSupport.Documents;

/// <summary>Character error rate between a known text and what OCR read, whitespace runs collapsed.</summary>
public static class TextDistance
{
    public static double ErrorRate(string expected, string actual)
    {
        var a = Normalize(expected);
        var b = Normalize(actual);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return a.Length == 0 ? b.Length : (double)previous[b.Length] / a.Length;
    }

    private static string Normalize(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
