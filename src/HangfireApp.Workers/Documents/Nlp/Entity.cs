namespace HangfireApp.Workers.Documents.Nlp;

/// <summary>The entity types the NLP stage finds (the API's <c>type</c> values).</summary>
public static class EntityTypes
{
    public const string Email = "email";
    public const string Phone = "phone";
    public const string Iban = "iban";
    public const string Date = "date";
    public const string Amount = "amount";
    public const string VatId = "vat_id";
    public const string InvoiceNumber = "invoice_number";
    public const string KeyValue = "key_value";

    public static readonly IReadOnlyList<string> All = [Email, Phone, Iban, Date, Amount, VatId, InvoiceNumber, KeyValue];
}

/// <summary>One entity found in a document.</summary>
/// <param name="Type"><see cref="EntityTypes"/>.</param>
/// <param name="Value">Normalised: IBAN and VAT id without spaces, phone in E.164, date as yyyy-MM-dd, amount as
/// <c>CUR 1234.56</c>; a key–value pair's value as written.</param>
/// <param name="Page">1-based page number.</param>
/// <param name="Offset">Where the match starts in the page's text (UTF-16 index).</param>
/// <param name="Length">The match's length in the page's text.</param>
/// <param name="Text">The text as it stands on the page.</param>
/// <param name="Key">A key–value pair's key.</param>
/// <param name="Valid">Set by validation where a check exists (IBAN, VAT id, date plausibility).</param>
public sealed record Entity(string Type, string Value, int Page, int Offset, int Length, string Text, string? Key = null, bool? Valid = null);
