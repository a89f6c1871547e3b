using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Storage;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig.Writer;

namespace HangfireApp.Workers.Documents.Nlp;

/// <summary>
/// Stage <c>nlp</c>, one item per document: its language and entities (with page and position), and its searchable PDF
/// assembled from the pages' PDFs (OCR pages) and the original's pages (text-layer pages). Hands the document on to
/// <c>validation</c>.
/// </summary>
public sealed class NlpHandler(DocumentStore documents, IDocumentFileStore files, IOptions<DocumentsOptions> options) : IItemHandler
{
    public async ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var documentId = item.Payload.GetProperty("documentId").GetInt64();
        var document = await documents.FindAsync(documentId, cancellationToken)
            ?? throw new NonRetryableItemException($"Document {documentId} does not exist.");
        var pages = await documents.PagesAsync(documentId, cancellationToken);
        var read = pages.Where(page => page.State == "done").ToList();

        var language = LanguageDetector.Detect(string.Join('\n', read.Select(page => page.Text)));
        var extractor = new EntityExtractor(options.Value.PhoneRegion);
        var entities = read.SelectMany(page => extractor.Extract(page.PageNo, page.Text ?? "")).ToList();
        var confidences = read.Where(page => page.Confidence is not null).Select(page => page.Confidence!.Value).ToList();
        double? meanConfidence = confidences.Count > 0 ? Math.Round(confidences.Average(), 1) : null;
        var pdf = await AssemblePdfAsync(document, pages, cancellationToken);

        await using (var connection = await documents.DataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            long? pdfId = null;
            if (pdf is not null)
            {
                using var stream = new MemoryStream(pdf, writable: false);
                pdfId = await files.SaveAsync(connection, stream, "application/pdf", cancellationToken);
            }
            await DocumentStore.SaveAnalysisAsync(connection, documentId, language.Code, meanConfidence, pdfId, entities, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        item.Chunk.Console.WriteLine($"Document {documentId}: language {language.Code}, {entities.Count} entities");
        return new DocumentItem(documentId);
    }

    /// <summary>One PDF of the document's pages in order: OCR pages as Tesseract rendered them, text pages from the original.</summary>
    private async Task<byte[]?> AssemblePdfAsync(DocumentRow document, IReadOnlyList<PageRow> pages, CancellationToken cancellationToken)
    {
        var parts = new List<byte[]>();
        var selections = new List<IReadOnlyList<int>>();
        byte[]? original = null;
        foreach (var page in pages)
        {
            if (page.PdfFileId is { } pdfId)
            {
                parts.Add(await files.ReadAllBytesAsync(pdfId, cancellationToken));
                selections.Add([1]);
            }
            else if (page.Source == PageSources.TextLayer && document.Format == DocumentFormats.Pdf && page.Note is null)
            {
                original ??= await files.ReadAllBytesAsync(document.SourceFileId, cancellationToken);
                parts.Add(original);
                selections.Add([page.PageNo]);
            }
        }
        return parts.Count == 0 ? null : PdfMerger.Merge(parts, selections);
    }
}
