using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Documents.Storage;
using System.Text.Json;

namespace HangfireApp.Workers.Documents.Intake;

/// <summary>What a submit asks for besides the files.</summary>
public sealed record DocumentRequest(string Languages, string Profile, Priority Priority, string? Description, string? IdempotencyKey, string? RequestHash);

/// <summary>The pipeline's first batch and its documents.</summary>
public sealed record SubmittedDocuments(long BatchId, bool Created, IReadOnlyList<(long Id, string FileName)> Documents);

/// <summary>
/// Stores checked uploads and starts the pipeline: each file streamed into the file store, its document row, and the
/// <c>preprocessing</c> batch with the continuations that chain <c>ocr</c>, <c>nlp</c> and <c>validation</c> — one
/// transaction, so a failure leaves nothing behind. An idempotent repeat writes nothing and answers the first batch.
/// </summary>
public sealed class DocumentSubmitter(Npgsql.NpgsqlDataSource dataSource, BatchSubmitter submitter, IDocumentFileStore files, DocumentStore documents)
{
    public async Task<SubmittedDocuments> SubmitAsync(IReadOnlyList<IntakeFile> uploads, DocumentRequest request, CancellationToken cancellationToken)
    {
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var created = new List<(long Id, string FileName)>();
        foreach (var upload in uploads)
        {
            long fileId;
            await using (var content = new FileStream(upload.Content.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true))
            {
                fileId = await files.SaveAsync(transaction.Connection, content, Preprocessing.DocumentFormats.ContentType(upload.Format), cancellationToken);
            }
            var id = await DocumentStore.InsertDocumentAsync(transaction.Connection, upload.FileName, upload.Format, fileId, request.Languages, request.Profile,
                request.Description, upload.Pages, cancellationToken);
            created.Add((id, upload.FileName));
        }
        var items = created.Select(document => JsonSerializer.SerializeToElement(new DocumentItem(document.Id), DocumentStages.Json)).ToList();
        var description = request.Description ?? (created.Count == 1 ? created[0].FileName : $"{created.Count} documents");
        var result = await submitter.SubmitAsync(transaction, new SubmitBatch(DocumentStages.Preprocessing, items, null, request.Priority, description,
            DocumentPipeline.Continuation(), request.IdempotencyKey, request.RequestHash), cancellationToken);
        if (!result.Created)
        {
            // The same request again: roll back what this one wrote and answer with the first one's documents.
            await transaction.DisposeAsync();
            var existing = await documents.ListAsync(null, result.BatchId, 0, 10_000, cancellationToken);
            return new SubmittedDocuments(result.BatchId, false, [.. existing.OrderBy(d => d.Id).Select(d => (d.Id, d.FileName))]);
        }
        await DocumentStore.SetBatchAsync(transaction.Connection, [.. created.Select(d => d.Id)], result.BatchId, cancellationToken);
        transaction.Complete();
        return new SubmittedDocuments(result.BatchId, true, created);
    }
}
