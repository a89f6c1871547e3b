using System.Text.RegularExpressions;

namespace HangfireApp.Workers.Documents.Nlp;

/// <summary>A detected language: an ISO 639-2 code as Tesseract names its models (<c>eng</c>, <c>deu</c>), or <c>und</c>.</summary>
public sealed record DetectedLanguage(string Code, double Confidence);

/// <summary>
/// Tells the language of a document's text from its most frequent function words. Hand-written because no maintained
/// offline detector is on the package feed (NTextCat is not, and the rest want model downloads at run time), and
/// because business documents are long enough that counting the ~25 commonest words of each language is as reliable
/// as n-gram models, while being deterministic, instant and free of data files. Covers the languages the invoices
/// in scope are written in; anything else (or too little text, e.g. an unreadable page) is <c>und</c>.
/// </summary>
public static partial class LanguageDetector
{
    private const int MinHits = 2;

    private static readonly Dictionary<string, HashSet<string>> StopWords = new(StringComparer.Ordinal)
    {
        ["eng"] = Set("the and of to in is for on with that this by from are be at as your you we our will or an it not have has please total date invoice due contact street"),
        ["deu"] = Set("der die das und ist nicht mit von den zu im für auf dem des ein eine sie wir ihr bitte datum betrag rechnung bei oder"),
        ["fra"] = Set("le la les et des du un une est pour dans en que qui sur pas par au avec vous nous votre date montant facture ou"),
        ["spa"] = Set("el la los las y de del que en un una es por para con no su al se lo fecha importe factura como pero"),
        ["ita"] = Set("il lo la gli le e di del della che è per con non un una sono nel al data importo fattura come ma anche"),
        ["nld"] = Set("de het een en van is dat op te in voor met niet zijn aan er u uw wij datum bedrag factuur ook maar bij"),
        ["por"] = Set("o a os as e de do da que em um uma é para com não por no na se data valor fatura como mas ao"),
    };

    public static DetectedLanguage Detect(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (Match word in Word().Matches(text))
        {
            var lower = word.Value.ToLowerInvariant();
            foreach (var (language, words) in StopWords)
            {
                if (words.Contains(lower))
                {
                    counts[language] = counts.GetValueOrDefault(language) + 1;
                }
            }
        }
        var ranked = counts.OrderByDescending(pair => pair.Value).ThenBy(pair => pair.Key, StringComparer.Ordinal).ToList();
        if (ranked.Count == 0 || ranked[0].Value < MinHits)
        {
            return new DetectedLanguage("und", 0);
        }
        var second = ranked.Count > 1 ? ranked[1].Value : 0;
        // Confidence: how clearly the winner beats the runner-up (shared words such as "de" count for several).
        return new DetectedLanguage(ranked[0].Key, Math.Round((double)(ranked[0].Value - second) / ranked[0].Value, 2));
    }

    private static HashSet<string> Set(string words) => [.. words.Split(' ')];

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex Word();
}
