using HangfireApp.Workers.Documents.Nlp;

namespace HangfireApp.UnitTests.Documents;

public sealed class EntityExtractorTests
{
    private const string Invoice = """
        ACME Supplies Ltd
        Invoice No: 2024-117
        Date: 12.03.2024
        Due: March 28, 2024
        VAT ID: DE136695976
        IBAN: DE89 3704 0044 0532 0130 00
        Total: EUR 1,234.56
        Shipping 12,50 €
        Contact: billing@acme.example, +44 20 7946 0958
        """;

    [Fact]
    public void Extract_FindsEveryEntityType_WithNormalisedValuesAndPositions()
    {
        var entities = new EntityExtractor().Extract(2, Invoice);

        string[] Values(string type) => [.. entities.Where(e => e.Type == type).Select(e => e.Value)];
        Values(EntityTypes.InvoiceNumber).ShouldBe(["2024-117"]);
        Values(EntityTypes.Date).ShouldBe(["2024-03-12", "2024-03-28"]);
        Values(EntityTypes.VatId).ShouldBe(["DE136695976"]);
        Values(EntityTypes.Iban).ShouldBe(["DE89370400440532013000"]);
        Values(EntityTypes.Amount).ShouldBe(["EUR 1234.56", "EUR 12.50"]);
        Values(EntityTypes.Email).ShouldBe(["billing@acme.example"]);
        Values(EntityTypes.Phone).ShouldBe(["+442079460958"]);
        entities.Where(e => e.Type == EntityTypes.KeyValue).Select(e => e.Key).ShouldContain("Invoice No");
        entities.ShouldAllBe(e => e.Page == 2);
        var iban = entities.Single(e => e.Type == EntityTypes.Iban);
        Invoice.Substring(iban.Offset, iban.Length).ShouldBe("DE89 3704 0044 0532 0130 00");
    }

    [Theory]
    [InlineData("The invoice is due on the date shown. Please pay the total to our account and quote the number.", "eng")]
    [InlineData("Bitte überweisen Sie den Betrag der Rechnung bis zum Datum auf das Konto, das wir Ihnen genannt haben.", "deu")]
    [InlineData("Veuillez payer le montant de la facture avant la date indiquée sur votre compte.", "fra")]
    [InlineData("x7 %% 12 :: ##", "und")]
    public void Detect_TellsTheLanguage_FromFunctionWords(string text, string expected)
    {
        LanguageDetector.Detect(text).Code.ShouldBe(expected);
    }
}
