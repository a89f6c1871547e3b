using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Documents.Storage;

namespace HangfireApp.Workers.Documents.Preprocessing;

/// <summary>
/// Stage <c>preprocessing</c>, one item per document: splits it into pages (text layer taken as text, scanned pages
/// normalised), stores the pages and their images in one transaction, and emits one <see cref="PageItem"/> per page for
/// the <c>ocr</c> stage (fan-out). A retried item starts the document over, so pages are never doubled.
/// </summary>
public sealed class PreprocessingHandler(DocumentStore documents, IDocumentFileStore files) : IItemHandler
{
    public async ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var documentId = item.Payload.GetProperty("documentId").GetInt64();
        var document = await documents.FindAsync(documentId, cancellationToken)
            ?? throw new NonRetryableItemException($"Document {documentId} does not exist.");
        using var source = await files.ToTemporaryFileAsync(document.SourceFileId, cancellationToken);
        List<SplitPage> pages;
        try
        {
            // CPU-bound decoding and normalisation, off the async flow's thread.
            pages = await Task.Run(() => DocumentSplitter.Split(source.Path, document.Format).ToList(), cancellationToken);
        }
        catch (DocumentFormatException e)
        {
            await documents.FailAsync(documentId, e.Message, cancellationToken);
            item.Chunk.Console.WriteLine($"Document {documentId} ({document.FileName}): {e.Message}", Batches.JobOutput.ConsoleTextColor.Red);
            return ItemResult.Failed(e.Message, retryable: false);
        }

        await using (var connection = await documents.DataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            var stored = new List<(SplitPage, long?)>(pages.Count);
            foreach (var page in pages)
            {
                long? imageId = null;
                if (page.Image is { } image)
                {
                    using var stream = new MemoryStream(image.Image, writable: false);
                    imageId = await files.SaveAsync(connection, stream, "image/tiff", cancellationToken);
                }
                stored.Add((page, imageId));
            }
            await DocumentStore.ReplacePagesAsync(connection, documentId, stored, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        var scanned = pages.Count(page => page.Source == PageSources.Image);
        item.Chunk.Console.WriteLine($"Document {documentId} ({document.FileName}): {pages.Count} page(s), {scanned} scanned, {pages.Count - scanned} with a text layer");
        return ItemResult.Emit(pages.Select(page => (object?)new PageItem(documentId, page.PageNo)), new { documentId, pages = pages.Count, scanned });
    }
}
