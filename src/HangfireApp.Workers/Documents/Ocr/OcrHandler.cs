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
                using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var watching = WatchCancelAsync(item, stop);
                PageOcrResult result;
                try
                {
                    result = await ocr.RecognizeAsync(new OcrRequest(image, document.Languages, pageNo, settings.PageDeadline, settings.SearchablePdf,
                        percent => bar.Set(percent)), stop.Token);
                }
                finally
                {
                    await stop.CancelAsync();
                    await watching;
                }
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

    /// <summary>
    /// Stops the page as soon as its batch is cancelled. The chunk learns of a cancel at its next heartbeat (seconds);
    /// a page can take longer than that, so while Tesseract works the batch's flag is read every 250 ms (one indexed
    /// row, a few pages in flight per process), and the monitor's cancel callback ends the page at its next word.
    /// </summary>
    private async Task WatchCancelAsync(WorkItem item, CancellationTokenSource stop)
    {
        try
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
            while (await timer.WaitForNextTickAsync(stop.Token))
            {
                await using var command = documents.DataSource.CreateCommand("select cancel_requested_at is not null from app.batches where id = @batch");
                command.Parameters.AddWithValue("batch", item.BatchId);
                if (await command.ExecuteScalarAsync(stop.Token) is true)
                {
                    // The chunk stops (its items stay pending and the cancel closes it), which cancels this page's token.
                    item.Chunk.RequestStop("the batch was cancelled");
                    await stop.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // the page ended (or was stopped) first
        }
        catch (Npgsql.NpgsqlException)
        {
            // the watch is a shortcut; the chunk's own heartbeat still delivers the cancel
        }
    }

    [LoggerMessage(EventId = WorkerLogEventIds.OcrHandlerDeadline, Level = LogLevel.Warning, Message = "Document {DocumentId} page {PageNo} hit the OCR deadline of {DeadlineSeconds} s; partial text kept")]
    private static partial void LogDeadline(ILogger logger, long documentId, int pageNo, double deadlineSeconds);

    [LoggerMessage(EventId = WorkerLogEventIds.OcrHandlerPageFailed, Level = LogLevel.Warning, Message = "Document {DocumentId} page {PageNo} could not be read: {Error}")]
    private static partial void LogPageFailed(ILogger logger, long documentId, int pageNo, string error);
}
