using System.Buffers;
using System.Data;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Documents.Storage;

/// <summary>
/// Files as rows of 1 MiB <c>bytea</c> parts in <c>app.document_file_parts</c>. Parts rather than one value per file:
/// PostgreSQL reads and writes a <c>bytea</c> whole, so one large value would sit in server and client memory at once;
/// parts keep both at one MiB whatever the file's size, and need no large-object permissions or cleanup.
/// </summary>
public sealed class PostgresDocumentFileStore(NpgsqlDataSource dataSource) : IDocumentFileStore
{
    public const int PartBytes = 1024 * 1024;

    public async Task<long> SaveAsync(NpgsqlConnection connection, Stream content, string contentType, CancellationToken cancellationToken)
    {
        long fileId;
        await using (var create = new NpgsqlCommand("insert into app.document_files (content_type) values (@type) returning id", connection))
        {
            create.Parameters.AddWithValue("type", contentType);
            fileId = (long)(await create.ExecuteScalarAsync(cancellationToken))!;
        }
        var buffer = ArrayPool<byte>.Shared.Rent(PartBytes);
        try
        {
            long length = 0;
            var partNo = 0;
            await using var insert = new NpgsqlCommand("insert into app.document_file_parts (file_id, part_no, data) values (@file, @part, @data)", connection);
            insert.Parameters.AddWithValue("file", fileId);
            var partParameter = new NpgsqlParameter<int>("part", NpgsqlDbType.Integer);
            var dataParameter = new NpgsqlParameter<ReadOnlyMemory<byte>>("data", NpgsqlDbType.Bytea);
            insert.Parameters.Add(partParameter);
            insert.Parameters.Add(dataParameter);
            while (true)
            {
                var filled = await content.ReadAtLeastAsync(buffer.AsMemory(0, PartBytes), PartBytes, throwOnEndOfStream: false, cancellationToken);
                if (filled == 0)
                {
                    break;
                }
                partParameter.TypedValue = partNo++;
                dataParameter.TypedValue = buffer.AsMemory(0, filled);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                length += filled;
                if (filled < PartBytes)
                {
                    break;
                }
            }
            await using var size = new NpgsqlCommand("update app.document_files set length = @length where id = @file", connection);
            size.Parameters.AddWithValue("length", length);
            size.Parameters.AddWithValue("file", fileId);
            await size.ExecuteNonQueryAsync(cancellationToken);
            return fileId;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public async Task<long?> LengthAsync(long fileId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select length from app.document_files where id = @file");
        command.Parameters.AddWithValue("file", fileId);
        return await command.ExecuteScalarAsync(cancellationToken) is long length ? length : null;
    }

    public async Task<bool> CopyToAsync(long fileId, Stream destination, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using (var exists = new NpgsqlCommand("select 1 from app.document_files where id = @file", connection))
        {
            exists.Parameters.AddWithValue("file", fileId);
            if (await exists.ExecuteScalarAsync(cancellationToken) is null)
            {
                return false;
            }
        }
        await using var command = new NpgsqlCommand("select data from app.document_file_parts where file_id = @file order by part_no", connection);
        command.Parameters.AddWithValue("file", fileId);
        // Sequential access: each part is streamed from the socket to the destination, never buffered whole.
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            await using var part = await reader.GetStreamAsync(0, cancellationToken);
            await part.CopyToAsync(destination, cancellationToken);
        }
        return true;
    }
}

/// <summary>Reading files for processing (page images, per-page PDFs: small; whole uploads go to a temporary file).</summary>
public static class DocumentFileStoreExtensions
{
    public static async Task<byte[]> ReadAllBytesAsync(this IDocumentFileStore store, long fileId, CancellationToken cancellationToken)
    {
        using var memory = new MemoryStream();
        if (!await store.CopyToAsync(fileId, memory, cancellationToken))
        {
            throw new FileNotFoundException($"Document file {fileId} does not exist.");
        }
        return memory.ToArray();
    }

    /// <summary>Copies the file to a new temporary file (deleted when the returned stream closes) and returns its path.</summary>
    public static async Task<TemporaryFile> ToTemporaryFileAsync(this IDocumentFileStore store, long fileId, CancellationToken cancellationToken)
    {
        var file = new TemporaryFile();
        try
        {
            await using (var stream = new FileStream(file.Path, FileMode.Create, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                if (!await store.CopyToAsync(fileId, stream, cancellationToken))
                {
                    throw new FileNotFoundException($"Document file {fileId} does not exist.");
                }
            }
            return file;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }
}

/// <summary>A file under the temporary folder, deleted on dispose.</summary>
public sealed class TemporaryFile : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"hangfireapp-documents-{Guid.NewGuid():N}");

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
            // a temporary file that cannot be deleted now is left to the system's cleanup
        }
    }
}
