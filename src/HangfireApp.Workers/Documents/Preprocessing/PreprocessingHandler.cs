using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Documents.Storage;

namespace HangfireApp.Workers.Documents.Preprocessing;

/// <summary>
/// Stage <c>preprocessing</c>, one item per document: splits it into pages (text layer taken as text, scanned pages
/// normalised), stores the pages and their images in one transaction, and emits one <see cref="PageItem"/> per page for
/// the <c>ocr</c> stage (fan-out). A retried item starts the document over, so pages are never doubled.
/// </summary>
public sealed class PreprocessingHandler(DocumentStore documents, IDocumentFileStore files, PreprocessingGate gate) : IItemHandler
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
            // CPU-bound decoding and normalisation, off the async flow's thread, at most one document per core at once.
            await gate.WaitAsync(cancellationToken);
            try
            {
                pages = await Task.Run(() => DocumentSplitter.Split(source.Path, document.Format).ToList(), cancellationToken);
            }
            finally
            {
                gate.Release();
            }
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

/// <summary>
/// How many documents this process normalises at once. Each page in work holds ~40 MB of 8-bit intermediate images
/// (decoded, scaled, deskewed, binarised): without a gate, every Hangfire worker on the preprocessing queue times the
/// chunk's parallelism would decode at once (10 pages, 400 MB, in the first benchmark) on cores that cannot run more
/// than one each anyway.
/// </summary>
public sealed class PreprocessingGate(Microsoft.Extensions.Options.IOptions<DocumentsOptions> options) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.Value.PreprocessingConcurrency, options.Value.PreprocessingConcurrency);

    public Task WaitAsync(CancellationToken cancellationToken) => _slots.WaitAsync(cancellationToken);

    public void Release() => _slots.Release();

    public void Dispose() => _slots.Dispose();
}
