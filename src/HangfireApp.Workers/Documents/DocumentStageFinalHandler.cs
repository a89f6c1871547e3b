using HangfireApp.Batches.FanIn;
using HangfireApp.Workers.Documents.Storage;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Workers.Documents;

/// <summary>
/// Runs when a batch of any document stage is final. A document whose item in it did not succeed (it failed for good
/// after its retries, or the batch was cancelled) is not handed on to the next stage, so it would stay
/// <c>processing</c> for ever: this ends it <c>failed</c> with the item's error, its unread pages marked failed, so
/// that the rerun of failed pages can take it up again.
/// </summary>
public sealed partial class DocumentStageFinalHandler(DocumentStore documents, ILogger<DocumentStageFinalHandler> logger) : IBatchFinalHandler
{
    public async Task OnBatchFinalAsync(FinalBatch batch, CancellationToken cancellationToken)
    {
        await using var command = documents.DataSource.CreateCommand("""
            with stuck as (
                select (payload->>'documentId')::bigint as document_id, (payload->>'pageNo')::int as page_no,
                       coalesce(error, case when state = 'cancelled' then 'cancelled' else state end) as error
                from app.items where batch_id = @batch and state in ('failed', 'cancelled', 'pending')
            ), pages as (
                update app.document_pages p set state = 'failed', error = 'OCR did not finish: ' || s.error
                from stuck s where p.document_id = s.document_id and p.page_no = s.page_no and p.state = 'pending'
                returning p.document_id
            ), ended as (
                update app.documents d
                set status = 'failed', finished_at = now(),
                    -- pages marked failed here count as finished, as the OCR stage counts its own failed pages
                    pages_done = d.pages_done + (select count(*) from pages pg where pg.document_id = d.id),
                    error = (select string_agg(distinct s.error, '; ') from stuck s where s.document_id = d.id),
                    reasons = jsonb_build_array(@stage || ' did not finish: ' || (select string_agg(distinct s.error, '; ') from stuck s where s.document_id = d.id))
                where d.id in (select document_id from stuck) and d.status = 'processing'
                returning d.id
            )
            select count(*) from ended
            """);
        command.Parameters.AddWithValue("batch", batch.BatchId);
        command.Parameters.AddWithValue("stage", batch.WorkerType);
        var ended = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        if (ended > 0)
        {
            LogEnded(logger, ended, batch.WorkerType, batch.BatchId, batch.State);
        }
    }

    [LoggerMessage(EventId = WorkerLogEventIds.DocumentStageFinalHandlerEnded, Level = LogLevel.Warning, Message = "{Documents} document(s) ended failed: their {Stage} items in batch {BatchId} ({State}) did not finish")]
    private static partial void LogEnded(ILogger logger, long documents, string stage, long batchId, string state);
}
