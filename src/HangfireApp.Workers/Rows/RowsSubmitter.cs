using System.Text.Json;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using Npgsql;

namespace HangfireApp.Workers.Rows;

/// <summary>An upload to turn into a batch: the parsed CSV and its checked, normalized call.</summary>
public sealed record RowsUpload(CsvTable Table, RowsCall Call, int? ChunkSize, Priority Priority, string? Description, string? IdempotencyKey, string? RequestHash);

/// <summary>
/// Creates a <c>rows</c> batch: one item per CSV row (its line and values) and the call in <c>app.rows_calls</c>,
/// in one transaction with the engine's batch, items, chunks and jobs — all of it or nothing.
/// </summary>
public sealed class RowsSubmitter(NpgsqlDataSource dataSource, BatchSubmitter submitter, SecretProtector protector)
{
    public async Task<SubmitResult> SubmitAsync(RowsUpload upload, CancellationToken cancellationToken)
    {
        var items = upload.Table.Rows.Select(row => JsonSerializer.SerializeToElement(new RowItem(row.LineNumber, row.Values), RowsCall.Json)).ToList();
        var request = new SubmitBatch(RowsWorkerType.Name, items, upload.ChunkSize, upload.Priority, upload.Description,
            IdempotencyKey: upload.IdempotencyKey, RequestHash: upload.RequestHash);
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        var result = await submitter.SubmitAsync(transaction, request, cancellationToken);
        if (result.Created)
        {
            var secrets = (upload.Call.Headers ?? []).Where(h => h.Secret).ToDictionary(h => h.Name!, h => h.Value!, StringComparer.OrdinalIgnoreCase);
            await RowsCallStore.InsertAsync(transaction, result.BatchId, upload.Table.Headers, upload.Table.Delimiter, upload.Call.Redacted(),
                secrets.Count == 0 ? null : protector.Protect(result.BatchId, secrets), cancellationToken);
        }
        transaction.Complete();
        return result;
    }
}
