using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Batches.Outputs;

/// <summary>The output file of a batch's latest run, as stored.</summary>
public sealed record BatchOutputInfo(long BatchId, int Run, string FileName, string ContentType, long SizeBytes, DateTimeOffset CreatedAt);

/// <summary>
/// Stores one output file per batch (the latest run's): final handlers write it, the API streams it.
/// Saving is an upsert, so a retried final handler or a rerun simply replaces the file.
/// </summary>
public sealed class BatchOutputStore(NpgsqlDataSource dataSource)
{
    /// <summary>Stores <paramref name="content"/> (read to its end) as the batch's output of run <paramref name="run"/>.</summary>
    public async Task SaveAsync(long batchId, int run, string fileName, string contentType, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanSeek)
        {
            throw new ArgumentException("The output stream must be seekable (its size is stored).", nameof(content));
        }
        await using var command = dataSource.CreateCommand("""
            insert into app.batch_outputs (batch_id, run, file_name, content_type, size_bytes, content)
            values (@batch, @run, @file, @type, @size, @content)
            on conflict (batch_id) do update set run = excluded.run, file_name = excluded.file_name,
                content_type = excluded.content_type, size_bytes = excluded.size_bytes,
                content = excluded.content, created_at = now()
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("run", run);
        command.Parameters.AddWithValue("file", fileName);
        command.Parameters.AddWithValue("type", contentType);
        command.Parameters.AddWithValue("size", content.Length - content.Position);
        // Npgsql streams a Stream parameter to the server instead of copying it into one array first.
        command.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Bytea) { Value = content });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<BatchOutputInfo?> FindAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select run, file_name, content_type, size_bytes, created_at from app.batch_outputs where batch_id = @batch
            """);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new BatchOutputInfo(batchId, reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetFieldValue<DateTimeOffset>(4))
            : null;
    }

    /// <summary>Copies the stored file to <paramref name="destination"/> without holding it in memory.</summary>
    public async Task CopyToAsync(long batchId, Stream destination, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("select content from app.batch_outputs where batch_id = @batch", connection);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        if (await reader.ReadAsync(cancellationToken))
        {
            await using var content = await reader.GetStreamAsync(0, cancellationToken);
            await content.CopyToAsync(destination, cancellationToken);
        }
    }
}
