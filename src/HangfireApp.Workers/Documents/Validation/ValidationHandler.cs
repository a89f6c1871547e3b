using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Documents.Validation;

/// <summary>
/// Stage <c>validation</c>, one item per document: applies the document's profile and ends it <c>valid</c>,
/// <c>needs_review</c> (with its reasons: the review queue) or <c>failed</c>.
/// </summary>
public sealed partial class ValidationHandler(DocumentStore documents, IOptions<DocumentsOptions> options, TimeProvider time, ILogger<ValidationHandler> logger)
    : IItemHandler
{
    public async ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var documentId = item.Payload.GetProperty("documentId").GetInt64();
        var document = await documents.FindAsync(documentId, cancellationToken)
            ?? throw new NonRetryableItemException($"Document {documentId} does not exist.");
        var profile = options.Value.Profiles.GetValueOrDefault(document.Profile)
            ?? throw new NonRetryableItemException($"Document {documentId} asks for the validation profile '{document.Profile}', which is not configured.");
        var pages = await documents.PagesAsync(documentId, cancellationToken);
        var entities = await documents.EntitiesAsync(documentId, cancellationToken);
        var facts = pages.Select(page => new PageFacts(page.PageNo, page.Source == PageSources.Image ? page.Confidence : null, page.TimedOut,
            page.State == "failed" ? page.Error : page.State == "pending" ? "OCR did not finish." : null, page.Note)).ToList();

        var outcome = DocumentValidator.Validate(profile, facts, entities, DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime));
        await documents.SaveOutcomeAsync(documentId, outcome, cancellationToken);
        LogOutcome(logger, documentId, outcome.Status, outcome.Reasons.Count);
        item.Chunk.Console.WriteLine($"Document {documentId} ({document.FileName}): {outcome.Status}{(outcome.Reasons.Count > 0 ? " — " + string.Join("; ", outcome.Reasons) : "")}",
            outcome.Status == DocumentStatuses.Valid ? ConsoleTextColor.Green : ConsoleTextColor.Yellow);
        return new { documentId, status = outcome.Status, reasons = outcome.Reasons.Count };
    }

    [LoggerMessage(EventId = WorkerLogEventIds.ValidationHandlerOutcome, Level = LogLevel.Information, Message = "Document {DocumentId} is {Status} ({Reasons} reason(s))")]
    private static partial void LogOutcome(ILogger logger, long documentId, string status, int reasons);
}
