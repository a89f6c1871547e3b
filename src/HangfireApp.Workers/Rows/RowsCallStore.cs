using System.Text.Json;
using HangfireApp.Batches.Storage;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Rows;

/// <summary>A batch's call as stored: the input header and delimiter, the redacted call, the encrypted secrets.</summary>
public sealed record StoredRowsCall(long BatchId, IReadOnlyList<string> Columns, char Delimiter, RowsCall Call, byte[]? Secrets);

/// <summary>Reads and writes <c>app.rows_calls</c>: one row per <c>rows</c> batch, written with the batch.</summary>
public sealed class RowsCallStore(NpgsqlDataSource dataSource)
{
    /// <summary>Stores the call inside the transaction that creates the batch, so neither exists without the other.</summary>
    public static async Task InsertAsync(AppTransaction transaction, long batchId, IReadOnlyList<string> columns, char delimiter,
        RowsCall redactedCall, byte[]? secrets, CancellationToken cancellationToken)
    {
        if (redactedCall.Headers?.Any(h => h.Secret && h.Value is not null) == true)
        {
            throw new ArgumentException("A secret header value must never be stored in the call; pass it encrypted in secrets.", nameof(redactedCall));
        }
        await using var insert = transaction.Command("""
            insert into app.rows_calls (batch_id, columns, delimiter, call, secrets) values (@batch, @columns, @delimiter, @call, @secrets)
            """);
        insert.Parameters.AddWithValue("batch", batchId);
        insert.Parameters.AddWithValue("columns", columns.ToArray());
        insert.Parameters.AddWithValue("delimiter", delimiter.ToString());
        insert.Parameters.AddWithValue("call", NpgsqlDbType.Jsonb, JsonSerializer.Serialize(redactedCall, RowsCall.Json));
        insert.Parameters.AddWithValue("secrets", NpgsqlDbType.Bytea, (object?)secrets ?? DBNull.Value);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<StoredRowsCall?> FindAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select columns, delimiter, call::text, secrets from app.rows_calls where batch_id = @batch");
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        return new StoredRowsCall(batchId, reader.GetFieldValue<string[]>(0), reader.GetString(1)[0],
            JsonSerializer.Deserialize<RowsCall>(reader.GetString(2), RowsCall.Json)!,
            reader.IsDBNull(3) ? null : reader.GetFieldValue<byte[]>(3));
    }
}
