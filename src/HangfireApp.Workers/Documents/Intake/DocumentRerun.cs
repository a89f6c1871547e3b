using System.Text.Json;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Documents.Api;
using HangfireApp.Workers.Documents.Storage;
using HangfireApp.Workers.Documents.Validation;
using Npgsql;

namespace HangfireApp.Workers.Documents.Intake;

/// <summary>
/// Reruns one document's failed pages: they go back to pending and a new <c>ocr</c> batch (continued by nlp and
/// validation) takes them, in one transaction. Refused (409) while the document is still processing or when it has
/// no failed page.
/// </summary>
public sealed class DocumentRerun(NpgsqlDataSource dataSource, BatchSubmitter submitter, DocumentStore documents)
{
    public async Task<RerunView?> RunAsync(long documentId, CancellationToken cancellationToken)
    {
        var document = await documents.FindAsync(documentId, cancellationToken);
        if (document is null)
        {
            return null;
        }
        if (document.Status == DocumentStatuses.Processing)
        {
            throw new BatchConflictException($"Document {documentId} is still processing; rerun its failed pages once it is final.");
        }
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var pages = await DocumentStore.ResetFailedPagesAsync(transaction.Connection, documentId, cancellationToken);
        if (pages.Count == 0)
        {
            throw new BatchConflictException($"Document {documentId} has no failed page to rerun.");
        }
        var items = pages.Select(page => JsonSerializer.SerializeToElement(new PageItem(documentId, page), DocumentStages.Json)).ToList();
        var result = await submitter.SubmitAsync(transaction, new SubmitBatch(DocumentStages.Ocr, items, null, Batches.Queues.Priority.Normal,
            $"Rerun of {pages.Count} page(s) of document {documentId} ({document.FileName})", DocumentPipeline.ContinuationAfterOcr()), cancellationToken);
        transaction.Complete();
        return new RerunView(documentId, result.BatchId, pages);
    }
}
