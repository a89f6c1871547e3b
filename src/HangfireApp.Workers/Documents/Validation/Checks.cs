namespace HangfireApp.Workers.Documents.Validation;

/// <summary>IBAN check digits (ISO 13616: the rearranged number mod 97 is 1) and the length of its country.</summary>
public static class IbanCheck
{
    // ISO 13616 registry lengths of the SEPA countries and a few more (an unknown country fails the check).
    private static readonly Dictionary<string, int> Lengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AT"] = 20, ["BE"] = 16, ["BG"] = 22, ["CH"] = 21, ["CY"] = 28, ["CZ"] = 24, ["DE"] = 22, ["DK"] = 18,
        ["EE"] = 20, ["ES"] = 24, ["FI"] = 18, ["FR"] = 27, ["GB"] = 22, ["GI"] = 23, ["GR"] = 27, ["HR"] = 21, ["HU"] = 28,
        ["IE"] = 22, ["IS"] = 26, ["IT"] = 27, ["LI"] = 21, ["LT"] = 20, ["LU"] = 20, ["LV"] = 21, ["MC"] = 27, ["MT"] = 31,
        ["NL"] = 18, ["NO"] = 15, ["PL"] = 28, ["PT"] = 25, ["RO"] = 24, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27,
    };

    public static bool IsValid(string iban)
    {
        if (iban.Length < 15 || !Lengths.TryGetValue(iban[..2], out var length) || iban.Length != length
            || !iban.All(c => char.IsAsciiDigit(c) || char.IsAsciiLetterUpper(c)))
        {
            return false;
        }
        var remainder = 0;
        foreach (var c in iban[4..] + iban[..4])
        {
            // Letters count as two digits (A = 10 … Z = 35); the running remainder keeps the number small.
            remainder = char.IsAsciiDigit(c) ? (remainder * 10 + (c - '0')) % 97 : (remainder * 100 + (c - 'A' + 10)) % 97;
        }
        return remainder == 1;
    }
}

/// <summary>
/// EU VAT id check digits for the countries with a published algorithm that this worker supports: DE, AT, BE, FR, IT
/// and NL. Ids of other countries are recognised by their form but reported as unchecked (null), never as invalid.
/// </summary>
public static class VatIdCheck
{
    public static readonly IReadOnlyList<string> SupportedCountries = ["AT", "BE", "DE", "FR", "IT", "NL"];

    /// <summary>True or false for a supported country; null when this country's digits are not checked.</summary>
    public static bool? IsValid(string vatId)
    {
        if (vatId.Length < 4)
        {
            return false;
        }
        var number = vatId[2..];
        return vatId[..2] switch
        {
            "DE" => number.Length == 9 && AllDigits(number) && Germany(number),
            "AT" => number.Length == 9 && number[0] == 'U' && AllDigits(number[1..]) && Austria(number[1..]),
            "BE" => Belgium(number.Length == 9 ? "0" + number : number),
            "FR" => number.Length == 11 && AllDigits(number) && France(number),
            "IT" => number.Length == 11 && AllDigits(number) && Luhn(number),
            "NL" => number.Length == 12 && number[9] == 'B' && AllDigits(number[..9]) && AllDigits(number[10..]) && Netherlands(vatId),
            _ => null,
        };
    }

    private static bool AllDigits(string text) => text.Length > 0 && text.All(char.IsAsciiDigit);

    private static int Digit(char c) => c - '0';

    /// <summary>ISO 7064 MOD 11,10 over the first eight digits.</summary>
    private static bool Germany(string n)
    {
        var product = 10;
        for (var i = 0; i < 8; i++)
        {
            var sum = (Digit(n[i]) + product) % 10;
            product = (sum == 0 ? 10 : sum) * 2 % 11;
        }
        var check = 11 - product;
        return (check == 10 ? 0 : check) == Digit(n[8]);
    }

    /// <summary>Weights 1,2,1,2… with digit sums, as the Austrian UID is checked.</summary>
    private static bool Austria(string n)
    {
        var sum = 0;
        for (var i = 0; i < 7; i++)
        {
            var value = Digit(n[i]) * (i % 2 == 0 ? 1 : 2);
            sum += value > 9 ? value / 10 + value % 10 : value;
        }
        var check = (10 - (sum + 4) % 10) % 10;
        return check == Digit(n[7]);
    }

    /// <summary>10 digits: the last two are 97 minus the first eight mod 97.</summary>
    private static bool Belgium(string n) =>
        n.Length == 10 && AllDigits(n) && n[0] is '0' or '1'
        && 97 - long.Parse(n[..8], System.Globalization.CultureInfo.InvariantCulture) % 97 == long.Parse(n[8..], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The key (first two digits) is (12 + 3 × (SIREN mod 97)) mod 97.</summary>
    private static bool France(string n)
    {
        var siren = long.Parse(n[2..], System.Globalization.CultureInfo.InvariantCulture);
        var key = int.Parse(n[..2], System.Globalization.CultureInfo.InvariantCulture);
        return (12 + 3 * (siren % 97)) % 97 == key;
    }

    private static bool Luhn(string n)
    {
        var sum = 0;
        for (var i = 0; i < n.Length; i++)
        {
            var value = Digit(n[n.Length - 1 - i]);
            if (i % 2 == 1)
            {
                value *= 2;
                value = value > 9 ? value - 9 : value;
            }
            sum += value;
        }
        return sum % 10 == 0;
    }

    /// <summary>Eleven-test on the nine digits (older ids), or mod 97 of the whole id as an IBAN-like number (since 2020).</summary>
    private static bool Netherlands(string vatId)
    {
        var n = vatId[2..11];
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += Digit(n[i]) * (9 - i);
        }
        if ((sum - Digit(n[8])) % 11 == 0)
        {
            return true;
        }
        var remainder = 0;
        foreach (var c in vatId)
        {
            remainder = char.IsAsciiDigit(c) ? (remainder * 10 + Digit(c)) % 97 : (remainder * 100 + (c - 'A' + 10)) % 97;
        }
        return remainder == 1;
    }
}
