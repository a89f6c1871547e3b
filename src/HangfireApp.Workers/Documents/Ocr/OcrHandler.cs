using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Documents.Native;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Documents.Ocr;

/// <summary>
/// Stage <c>ocr</c>, one item per page: Tesseract on the normalised image (through this process's
/// <see cref="OcrThreads"/>), with the page deadline, the chunk's cancel and a console progress bar; text-layer pages
/// pass through. Stores text, confidence, word TSV, hOCR and the page's searchable PDF, and counts the page towards its
/// document: the page that completes a document emits it for the <c>nlp</c> stage, every other page emits nothing
/// (fan-in). A page Tesseract cannot read is stored as failed (with its error) and still counts, so its document goes
/// on to review instead of waiting forever.
/// </summary>
public sealed partial class OcrHandler(DocumentStore documents, IDocumentFileStore files, OcrThreads ocr, IOptions<DocumentsOptions> options, ILogger<OcrHandler> logger)
    : IItemHandler
{
    public async ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var documentId = item.Payload.GetProperty("documentId").GetInt64();
        var pageNo = item.Payload.GetProperty("pageNo").GetInt32();
        var page = await documents.FindPageAsync(documentId, pageNo, cancellationToken)
            ?? throw new NonRetryableItemException($"Page {pageNo} of document {documentId} does not exist.");
        var document = (await documents.FindAsync(documentId, cancellationToken))!;

        PageOutcome outcome;
        byte[]? pdf = null;
        if (page.State != "pending")
        {
            outcome = new PageOutcome(page.State, null, null, false, null, null, null, null); // already stored: only the hand-on is asked
        }
        else if (page.Source == PageSources.TextLayer)
        {
            outcome = new PageOutcome("done", null, null, false, null, null, null, null);
        }
        else
        {
            var settings = options.Value;
            var bar = item.Chunk.Console.Progress($"document {documentId} page {pageNo}");
            try
            {
                var image = await files.ReadAllBytesAsync(page.ImageFileId!.Value, cancellationToken);
                var result = await ocr.RecognizeAsync(new OcrRequest(image, document.Languages, pageNo, settings.PageDeadline, settings.SearchablePdf, percent => bar.Set(percent)),
                    cancellationToken);
                pdf = result.SearchablePdf;
                outcome = new PageOutcome("done", result.Text, result.MeanConfidence, result.TimedOut, result.Tsv, result.Hocr, null, null);
                if (result.TimedOut)
                {
                    LogDeadline(logger, documentId, pageNo, settings.PageDeadline.TotalSeconds);
                    item.Chunk.Console.WriteLine($"Document {documentId} page {pageNo}: deadline of {settings.PageDeadline.TotalSeconds:0} s passed, partial text kept",
                        ConsoleTextColor.Yellow);
                }
            }
            catch (Exception e) when (e is ImageException or OcrException)
            {
                outcome = new PageOutcome("failed", null, null, false, null, null, null, e.Message);
                LogPageFailed(logger, documentId, pageNo, e.Message);
                item.Chunk.Console.WriteLine($"Document {documentId} page {pageNo}: {e.Message}", ConsoleTextColor.Red);
            }
        }

        bool completesDocument;
        await using (var connection = await documents.DataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            if (pdf is not null)
            {
                using var stream = new MemoryStream(pdf, writable: false);
                outcome = outcome with { PdfFileId = await files.SaveAsync(connection, stream, "application/pdf", cancellationToken) };
            }
            completesDocument = await DocumentStore.CompletePageAsync(connection, documentId, pageNo, outcome, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var summary = new { documentId, pageNo, state = outcome.State, confidence = outcome.Confidence, timedOut = outcome.TimedOut };
        return ItemResult.Emit(completesDocument ? [new DocumentItem(documentId)] : [], summary);
    }

    [LoggerMessage(EventId = 5701, Level = LogLevel.Warning, Message = "Document {DocumentId} page {PageNo} hit the OCR deadline of {DeadlineSeconds} s; partial text kept")]
    private static partial void LogDeadline(ILogger logger, long documentId, int pageNo, double deadlineSeconds);

    [LoggerMessage(EventId = 5702, Level = LogLevel.Warning, Message = "Document {DocumentId} page {PageNo} could not be read: {Error}")]
    private static partial void LogPageFailed(ILogger logger, long documentId, int pageNo, string error);
}
