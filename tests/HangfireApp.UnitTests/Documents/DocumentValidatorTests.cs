using HangfireApp.Workers.Documents.Nlp;
using HangfireApp.Workers.Documents.Validation;

namespace HangfireApp.UnitTests.Documents;

public sealed class DocumentValidatorTests
{
    private static readonly DateOnly Today = new(2024, 6, 1);
    private static readonly ValidationProfile Invoice = new() { MinPageConfidence = 70, RequiredEntities = ["invoice_number", "date", "amount"] };

    [Theory]
    [InlineData("DE89370400440532013000", true)]
    [InlineData("GB82WEST12345698765432", true)]
    [InlineData("DE89370400440532013001", false)]
    [InlineData("DE8937040044053201300", false)]
    [InlineData("XX89370400440532013000", false)]
    public void Iban_ChecksMod97AndLength(string iban, bool valid) => IbanCheck.IsValid(iban).ShouldBe(valid);

    [Theory]
    [InlineData("DE136695976", true)]
    [InlineData("DE136695977", false)]
    [InlineData("ATU13585627", true)]
    [InlineData("ATU13585626", false)]
    [InlineData("BE0403019261", true)]
    [InlineData("BE0403019262", false)]
    [InlineData("FR40303265045", true)]
    [InlineData("FR41303265045", false)]
    [InlineData("IT00743110157", true)]
    [InlineData("IT00743110158", false)]
    [InlineData("NL123456782B01", true)]
    [InlineData("NL123456789B01", false)]
    public void VatId_ChecksTheDigits_OfTheSupportedCountries(string vatId, bool valid) => VatIdCheck.IsValid(vatId).ShouldBe(valid);

    [Fact]
    public void VatId_IsUnchecked_ForOtherCountries() => VatIdCheck.IsValid("PL5260250995").ShouldBeNull();

    [Fact]
    public void Validate_IsValid_WhenEveryRuleHolds()
    {
        var outcome = DocumentValidator.Validate(Invoice, [new PageFacts(1, 91, false, null, null)], InvoiceEntities("DE89370400440532013000"), Today);

        outcome.Status.ShouldBe(DocumentStatuses.Valid);
        outcome.Reasons.ShouldBeEmpty();
        outcome.Entities.Single(e => e.Type == EntityTypes.Iban).Valid.ShouldBe(true);
    }

    [Fact]
    public void Validate_NeedsReviewWithEveryReason_WhenRulesFail()
    {
        var entities = InvoiceEntities("DE89370400440532013001")
            .Where(e => e.Type != EntityTypes.InvoiceNumber)
            .Append(new Entity(EntityTypes.Date, "1890-01-01", 2, 0, 10, "01.01.1890"))
            .ToList();

        var outcome = DocumentValidator.Validate(Invoice, [new PageFacts(1, 91, false, null, null), new PageFacts(2, 31, true, null, null)], entities, Today);

        outcome.Status.ShouldBe(DocumentStatuses.NeedsReview);
        outcome.Reasons.ShouldContain(r => r.Contains("Page 2 confidence 31", StringComparison.Ordinal));
        outcome.Reasons.ShouldContain(r => r.Contains("Page 2 hit the OCR deadline", StringComparison.Ordinal));
        outcome.Reasons.ShouldContain(r => r.Contains("IBAN DE89370400440532013001", StringComparison.Ordinal));
        outcome.Reasons.ShouldContain(r => r.Contains("01.01.1890", StringComparison.Ordinal));
        outcome.Reasons.ShouldContain("Required field missing: invoice_number.");
    }

    [Fact]
    public void Validate_Fails_WhenNoPageCouldBeRead()
    {
        var outcome = DocumentValidator.Validate(Invoice, [new PageFacts(1, null, false, "The image cannot be decoded.", null)], [], Today);

        outcome.Status.ShouldBe(DocumentStatuses.Failed);
        outcome.Reasons.ShouldBe(["The image cannot be decoded."]);
    }

    private static List<Entity> InvoiceEntities(string iban) =>
    [
        new(EntityTypes.InvoiceNumber, "2024-117", 1, 0, 8, "2024-117"),
        new(EntityTypes.Date, "2024-03-12", 1, 10, 10, "12.03.2024"),
        new(EntityTypes.Amount, "EUR 1234.56", 1, 30, 12, "EUR 1,234.56"),
        new(EntityTypes.Iban, iban, 1, 50, 22, iban),
    ];
}
