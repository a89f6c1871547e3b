using System.Buffers;
using System.Data;
using HangfireApp.Batches.Submit;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Telemetry.Storage;

/// <summary>
/// Uploaded telemetry files, kept in PostgreSQL as received (usually gzip) in <see cref="PartBytes"/> parts.
/// <para>
/// Why in the database: an upload exists only in the request that brought it, and any worker host must be able to
/// process any match — the database is the one store every host already shares (no shared disk, no object store
/// to operate). Parts rather than one value or a large object: a part is written and read whole, so memory stays at
/// one part however large the file, and bytea parts are plain rows that backups, cascading deletes and replication
/// handle as usual (large objects need their own clean-up). Matches registered by URL are not copied here: the
/// worker fetches the URL when it processes the match, so the intake stays fast and a file is stored once (at PUBG).
/// </para>
/// </summary>
public sealed class TelemetryFileStore
{
    public const int PartBytes = 1024 * 1024;

    /// <summary>
    /// Replaces the match's stored file with <paramref name="content"/>, in the caller's transaction, streamed with a
    /// binary COPY one part at a time. Returns the file's size; a file over <paramref name="maxBytes"/> is refused (413).
    /// </summary>
    public static async Task<long> WriteAsync(NpgsqlConnection connection, string matchId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        await using (var delete = new NpgsqlCommand("delete from app.telemetry_files where match_id = @match", connection))
        {
            delete.Parameters.AddWithValue("match", matchId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        var buffer = ArrayPool<byte>.Shared.Rent(PartBytes);
        try
        {
            long total = 0;
            var part = 0;
            await using var copy = await connection.BeginBinaryImportAsync(
                "copy app.telemetry_files (match_id, part, data) from stdin (format binary)", cancellationToken);
            while (true)
            {
                var filled = 0;
                while (filled < PartBytes)
                {
                    var read = await content.ReadAsync(buffer.AsMemory(filled, PartBytes - filled), cancellationToken);
                    if (read == 0)
                    {
                        break;
                    }
                    filled += read;
                }
                if (filled == 0)
                {
                    break;
                }
                total += filled;
                if (total > maxBytes)
                {
                    throw BatchRequestException.Field("file", $"The file for match '{matchId}' is larger than {maxBytes} bytes.", 413);
                }
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(matchId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(part++, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(new ArraySegment<byte>(buffer, 0, filled), NpgsqlDbType.Bytea, cancellationToken);
                if (filled < PartBytes)
                {
                    break;
                }
            }
            await copy.CompleteAsync(cancellationToken);
            return total;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// The stored file as a stream, read part by part as the consumer asks for bytes (one connection, one query,
    /// sequential access: no part is held longer than it takes to read it).
    /// </summary>
    public static async Task<Stream> OpenAsync(NpgsqlDataSource dataSource, string matchId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            var command = new NpgsqlCommand("select data from app.telemetry_files where match_id = @match order by part", connection);
            command.Parameters.AddWithValue("match", matchId);
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
            return new PartsStream(connection, command, reader);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    private sealed class PartsStream(NpgsqlConnection connection, NpgsqlCommand command, NpgsqlDataReader reader) : Stream
    {
        private Stream? _part;
        private bool _done;
        private int _disposed;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (!_done)
            {
                if (_part is not null)
                {
                    var read = await _part.ReadAsync(buffer, cancellationToken);
                    if (read > 0 || buffer.IsEmpty)
                    {
                        return read;
                    }
                    await _part.DisposeAsync();
                    _part = null;
                }
                if (!await reader.ReadAsync(cancellationToken))
                {
                    _done = true;
                    break;
                }
                _part = await reader.GetStreamAsync(0, cancellationToken);
            }
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        // Disposed once only, however often it is asked: the first dispose puts the connection back in the pool, and Npgsql
        // reuses the connection's reader for its next user, so a later reader.Dispose would close that user's reader. The
        // stream is disposed at least twice in the handler (the parser's gzip stream owns its input, and so does the caller).
        private bool TakeDispose() => Interlocked.Exchange(ref _disposed, 1) == 0;

        public override async ValueTask DisposeAsync()
        {
            if (TakeDispose())
            {
                if (_part is not null)
                {
                    await _part.DisposeAsync();
                }
                await reader.DisposeAsync();
                await command.DisposeAsync();
                await connection.DisposeAsync();
            }
            await base.DisposeAsync();
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && TakeDispose())
            {
                _part?.Dispose();
                reader.Dispose();
                command.Dispose();
                connection.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
