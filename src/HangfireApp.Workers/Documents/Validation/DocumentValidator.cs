using System.Globalization;
using HangfireApp.Workers.Documents.Nlp;

namespace HangfireApp.Workers.Documents.Validation;

/// <summary>A document's outcome (the API's <c>status</c> once it left <c>processing</c>).</summary>
public static class DocumentStatuses
{
    public const string Processing = "processing";
    public const string Valid = "valid";
    public const string NeedsReview = "needs_review";
    public const string Failed = "failed";
}

/// <summary>The rules of one validation profile (<c>Documents:Profiles:&lt;name&gt;</c>).</summary>
public sealed class ValidationProfile
{
    /// <summary>A page whose mean OCR confidence is below this needs review (text-layer pages count as 100).</summary>
    public int MinPageConfidence { get; set; } = 60;

    /// <summary>Entity types that must occur at least once (e.g. <c>invoice_number</c>, <c>date</c>, <c>amount</c>).</summary>
    public List<string> RequiredEntities { get; set; } = [];

    /// <summary>Check the IBANs' mod-97 check digits.</summary>
    public bool CheckIbans { get; set; } = true;

    /// <summary>Check the VAT ids' check digits (countries in <see cref="VatIdCheck.SupportedCountries"/>).</summary>
    public bool CheckVatIds { get; set; } = true;

    /// <summary>Dates before this year are implausible.</summary>
    public int MinYear { get; set; } = 1990;

    /// <summary>Dates more than this many days after today are implausible.</summary>
    public int MaxDaysAhead { get; set; } = 366;
}

/// <summary>What validation reads of a page: its number, OCR confidence (null for text-layer pages), whether it hit the
/// OCR deadline, the error that kept it from being read at all, and a note for the review (a blank page).</summary>
public sealed record PageFacts(int PageNo, double? Confidence, bool TimedOut, string? Error, string? Note);

/// <summary>The outcome and the entities with their <see cref="Entity.Valid"/> set where a check exists.</summary>
public sealed record ValidationOutcome(string Status, IReadOnlyList<string> Reasons, IReadOnlyList<Entity> Entities);

/// <summary>
/// Applies a profile: every rule that fails adds a reason, and a document with reasons needs review — the review queue
/// an operator works through. A document ends <c>failed</c> only when nothing of it could be read.
/// </summary>
public static class DocumentValidator
{
    public static ValidationOutcome Validate(ValidationProfile profile, IReadOnlyList<PageFacts> pages, IReadOnlyList<Entity> entities, DateOnly today)
    {
        var reasons = new List<string>();
        if (pages.Count == 0 || pages.All(page => page.Error is not null))
        {
            var error = pages.Select(page => page.Error).FirstOrDefault(e => e is not null) ?? "The document has no pages.";
            return new ValidationOutcome(DocumentStatuses.Failed, [error], entities);
        }
        foreach (var page in pages.OrderBy(page => page.PageNo))
        {
            if (page.Error is not null)
            {
                reasons.Add($"Page {page.PageNo} could not be read: {page.Error}");
                continue;
            }
            if (page.Note is not null)
            {
                reasons.Add($"Page {page.PageNo}: {page.Note}");
            }
            if (page.TimedOut)
            {
                reasons.Add($"Page {page.PageNo} hit the OCR deadline; its text is partial.");
            }
            if (page.Confidence is { } confidence && confidence < profile.MinPageConfidence)
            {
                reasons.Add(string.Create(CultureInfo.InvariantCulture, $"Page {page.PageNo} confidence {confidence:0} is below {profile.MinPageConfidence}."));
            }
        }

        var checkedEntities = new List<Entity>(entities.Count);
        foreach (var entity in entities)
        {
            bool? valid = entity.Type switch
            {
                EntityTypes.Iban when profile.CheckIbans => IbanCheck.IsValid(entity.Value),
                EntityTypes.VatId when profile.CheckVatIds => VatIdCheck.IsValid(entity.Value),
                EntityTypes.Date => PlausibleDate(entity.Value, profile, today),
                _ => null,
            };
            if (valid == false)
            {
                reasons.Add(entity.Type switch
                {
                    EntityTypes.Iban => $"IBAN {entity.Value} on page {entity.Page} has wrong check digits or length.",
                    EntityTypes.VatId => $"VAT id {entity.Value} on page {entity.Page} has wrong check digits.",
                    _ => $"Date '{entity.Text}' on page {entity.Page} is not a plausible date.",
                });
            }
            checkedEntities.Add(entity with { Valid = valid });
        }
        foreach (var required in profile.RequiredEntities)
        {
            if (!entities.Any(entity => entity.Type == required))
            {
                reasons.Add($"Required field missing: {required}.");
            }
        }
        return new ValidationOutcome(reasons.Count == 0 ? DocumentStatuses.Valid : DocumentStatuses.NeedsReview, reasons, checkedEntities);
    }

    private static bool PlausibleDate(string value, ValidationProfile profile, DateOnly today) =>
        DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
        && date.Year >= profile.MinYear
        && date <= today.AddDays(profile.MaxDaysAhead);
}
