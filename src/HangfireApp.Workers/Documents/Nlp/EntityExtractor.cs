using System.Globalization;
using System.Text.RegularExpressions;
using PhoneNumbers;

namespace HangfireApp.Workers.Documents.Nlp;

/// <summary>
/// Finds entities in a page's text, offline: e-mail addresses, phone numbers (Google's libphonenumber), IBANs, dates,
/// monetary amounts, EU VAT ids, invoice numbers and <c>Key: value</c> lines. Regular expressions for the rest because
/// each has a fixed written form on business documents, and the checks that tell a real one from a look-alike (IBAN
/// mod 97, VAT check digits, calendar dates) run in validation.
/// </summary>
public sealed partial class EntityExtractor(string defaultPhoneRegion = "DE")
{
    private static readonly PhoneNumberUtil Phones = PhoneNumberUtil.GetInstance();
    private static readonly string[] MonthNames =
        ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];

    public IReadOnlyList<Entity> Extract(int page, string text)
    {
        var entities = new List<Entity>();
        foreach (Match match in Email().Matches(text))
        {
            entities.Add(new Entity(EntityTypes.Email, match.Value.ToLowerInvariant(), page, match.Index, match.Length, match.Value));
        }
        foreach (var found in Phones.FindNumbers(text, defaultPhoneRegion, PhoneNumberUtil.Leniency.VALID, long.MaxValue))
        {
            var e164 = Phones.Format(found.Number, PhoneNumberFormat.E164);
            entities.Add(new Entity(EntityTypes.Phone, e164, page, found.Start, found.Length, found.RawString));
        }
        var ibanSpans = new List<(int Start, int End)>();
        foreach (Match match in Iban().Matches(text))
        {
            ibanSpans.Add((match.Index, match.Index + match.Length));
            entities.Add(new Entity(EntityTypes.Iban, Compact(match.Value), page, match.Index, match.Length, match.Value));
        }
        foreach (Match match in VatId().Matches(text))
        {
            if (!ibanSpans.Any(span => match.Index >= span.Start && match.Index < span.End))
            {
                entities.Add(new Entity(EntityTypes.VatId, Compact(match.Value).ToUpperInvariant(), page, match.Index, match.Length, match.Value));
            }
        }
        foreach (Match match in NumericDate().Matches(text))
        {
            entities.Add(new Entity(EntityTypes.Date, NormalizeNumericDate(match) ?? match.Value, page, match.Index, match.Length, match.Value));
        }
        foreach (Match match in WrittenDate().Matches(text))
        {
            entities.Add(new Entity(EntityTypes.Date, NormalizeWrittenDate(match) ?? match.Value, page, match.Index, match.Length, match.Value));
        }
        foreach (Match match in Amount().Matches(text))
        {
            if (NormalizeAmount(match) is { } value)
            {
                entities.Add(new Entity(EntityTypes.Amount, value, page, match.Index, match.Length, match.Value.Trim()));
            }
        }
        foreach (Match match in InvoiceNumber().Matches(text))
        {
            var number = match.Groups["number"];
            entities.Add(new Entity(EntityTypes.InvoiceNumber, number.Value, page, number.Index, number.Length, number.Value));
        }
        foreach (Match match in KeyValue().Matches(text))
        {
            var key = match.Groups["key"].Value.Trim();
            var value = match.Groups["value"];
            entities.Add(new Entity(EntityTypes.KeyValue, value.Value.Trim(), page, match.Index, match.Length, match.Value.Trim(), key));
        }
        return [.. entities.OrderBy(entity => entity.Offset).ThenBy(entity => entity.Type, StringComparer.Ordinal)];
    }

    private static string Compact(string value) => string.Concat(value.Where(c => !char.IsWhiteSpace(c)));

    private static string? NormalizeNumericDate(Match match)
    {
        var g = match.Groups;
        int year, month, day;
        if (g["y1"].Success)
        {
            (year, month, day) = (int.Parse(g["y1"].Value, CultureInfo.InvariantCulture), int.Parse(g["m1"].Value, CultureInfo.InvariantCulture), int.Parse(g["d1"].Value, CultureInfo.InvariantCulture));
        }
        else
        {
            var first = int.Parse(g["a"].Value, CultureInfo.InvariantCulture);
            var second = int.Parse(g["b"].Value, CultureInfo.InvariantCulture);
            year = int.Parse(g["y2"].Value, CultureInfo.InvariantCulture);
            year = year < 100 ? 2000 + year : year;
            // Day first (European) unless that is impossible and the US order is not: 03/25/2024.
            (day, month) = g["sep"].Value == "/" && second > 12 && first <= 12 ? (second, first) : (first, second);
        }
        return ToIso(year, month, day);
    }

    private static string? NormalizeWrittenDate(Match match)
    {
        var g = match.Groups;
        var monthText = (g["mon1"].Success ? g["mon1"].Value : g["mon2"].Value).ToLowerInvariant();
        var month = Array.FindIndex(MonthNames, name => name.StartsWith(monthText[..3], StringComparison.Ordinal)) + 1;
        var day = int.Parse(g["d1"].Success ? g["d1"].Value : g["d2"].Value, CultureInfo.InvariantCulture);
        var year = int.Parse(g["y"].Value, CultureInfo.InvariantCulture);
        return month == 0 ? null : ToIso(year, month, day);
    }

    /// <summary>yyyy-MM-dd when the date exists in the calendar; otherwise null (the entity keeps its text and fails validation).</summary>
    private static string? ToIso(int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month)
            ? new DateOnly(year, month, day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;

    private static string? NormalizeAmount(Match match)
    {
        var currency = match.Groups["cur1"].Success ? match.Groups["cur1"].Value : match.Groups["cur2"].Value;
        currency = currency switch { "€" => "EUR", "$" => "USD", "£" => "GBP", _ => currency.ToUpperInvariant() };
        var number = match.Groups["num1"].Success ? match.Groups["num1"].Value : match.Groups["num2"].Value;
        // The last separator followed by exactly two digits is the decimal mark (1.234,56 and 1,234.56 alike).
        var decimalAt = number.Length >= 3 && number[^3] is '.' or ',' ? number.Length - 3 : -1;
        var whole = string.Concat((decimalAt < 0 ? number : number[..decimalAt]).Where(char.IsAsciiDigit));
        var cents = decimalAt < 0 ? "00" : number[(decimalAt + 1)..];
        return whole.Length == 0 ? null : $"{currency} {long.Parse(whole, CultureInfo.InvariantCulture)}.{cents}";
    }

    [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")]
    private static partial Regex Email();

    // Country, check digits, then 11–30 alphanumerics, written in groups of four or run together.
    [GeneratedRegex(@"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")]
    private static partial Regex Iban();

    // The EU VAT id forms of the member states validation checks, and the general "two letters + 8–12 characters" form.
    [GeneratedRegex(@"\b(?:ATU\d{8}|BE ?[01]\d{3}[ .]?\d{3}[ .]?\d{3}|DE ?\d{9}|FR ?[0-9A-HJ-NP-Z]{2} ?\d{9}|IT ?\d{11}|NL ?\d{9}B\d{2}|ES ?[0-9A-Z]\d{7}[0-9A-Z]|(?:PL|SE|DK|FI|LU|PT|IE|CZ|SK|SI|HU|RO|BG|HR|EE|LV|LT|CY|MT|EL|GB|CHE)[- ]?[0-9A-Z]{8,12})\b")]
    private static partial Regex VatId();

    [GeneratedRegex(@"\b(?:(?<y1>(?:19|20)\d{2})-(?<m1>\d{1,2})-(?<d1>\d{1,2})|(?<a>\d{1,2})(?<sep>[./])(?<b>\d{1,2})\k<sep>(?<y2>(?:19|20)?\d{2}))\b")]
    private static partial Regex NumericDate();

    [GeneratedRegex(@"\b(?:(?<d1>\d{1,2})\.? (?<mon1>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.?,? (?<y>(?:19|20)\d{2})|(?<mon2>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? (?<d2>\d{1,2})(?:st|nd|rd|th)?,? (?<y>(?:19|20)\d{2}))\b", RegexOptions.IgnoreCase)]
    private static partial Regex WrittenDate();

    [GeneratedRegex(@"(?:(?<cur1>EUR|USD|GBP|CHF|€|\$|£)\s?(?<num1>\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{2})?|\d+(?:[.,]\d{2})?)|(?<num2>\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{2})|\d+[.,]\d{2})\s?(?<cur2>EUR|USD|GBP|CHF|€|\$|£))(?![\d])")]
    private static partial Regex Amount();

    [GeneratedRegex(@"(?:Invoice\s*(?:No\.?|Number|Nr\.?|#)|Rechnungs?\s*(?:nummer|-?Nr\.?)|Facture\s*(?:n[°o]\.?|num[ée]ro))\s*[:#]?\s*(?<number>[A-Z0-9][A-Z0-9\-/]{2,})", RegexOptions.IgnoreCase)]
    private static partial Regex InvoiceNumber();

    [GeneratedRegex(@"^[ \t]*(?<key>[\p{L}][\p{L} .#/()&-]{1,40}?)[ \t]*:[ \t]*(?<value>\S[^\n]*?)[ \t]*$", RegexOptions.Multiline)]
    private static partial Regex KeyValue();
}
