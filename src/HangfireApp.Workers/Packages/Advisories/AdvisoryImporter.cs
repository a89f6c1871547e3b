using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using HangfireApp.Batches.Submit;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using SharpCompress.Common;
using SharpCompress.Readers;
using SharpCompress.Readers.Zip;

namespace HangfireApp.Workers.Packages.Advisories;

/// <summary>What an import did: records read, and how many were new, newer (updated) or not newer (skipped).</summary>
public sealed record ImportResult(int Records, int Inserted, int Updated, int Skipped);

/// <summary>
/// Imports OSV records: one record, an array of records, or a zip of <c>*.json</c> records (as OSV publishes
/// each ecosystem). Starts an <see cref="AdvisoryImport"/>, which streams: records are read one at a time and
/// written in groups, all in one transaction that commits only if every record was valid and every limit held.
/// </summary>
public sealed class AdvisoryImporter(NpgsqlDataSource dataSource, IOptions<PackagesOptions> options)
{
    /// <summary>Starts an import; add sources to it, then complete it. Disposing it uncompleted writes nothing.</summary>
    public AdvisoryImport Begin() => new(dataSource, options.Value.Import);

    /// <summary>Imports records already read (e.g. the external scanner's answer) in one transaction.</summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<AdvisoryRow> records, CancellationToken cancellationToken)
    {
        await using var import = Begin();
        foreach (var record in records)
        {
            await import.AddAsync(record, cancellationToken);
        }
        return await import.CompleteAsync(cancellationToken);
    }
}

/// <summary>
/// One streaming import. Memory stays flat whatever the size of the input: a zip is read forward only, entry by
/// entry, straight from the request body (no copy, no central directory in memory), a JSON array element by
/// element, and valid records are written in groups of at most <see cref="WriteGroup"/> records or
/// <see cref="WriteGroupChars"/> characters. Every byte decompressed is counted against the import's limits
/// (<see cref="AdvisoryImportOptions"/>), whatever the entry headers claim, so a zip bomb ends in a 413 after at
/// most <c>MaxDecompressedBytes</c> of work. The first invalid record stops the writing; reading goes on to name up
/// to <c>MaxReportedErrors</c> bad records in the 400. Nothing is committed unless <see cref="CompleteAsync"/>
/// succeeds. A known id is updated only when the record's <c>modified</c> is newer.
/// </summary>
public sealed class AdvisoryImport : IAsyncDisposable
{
    private const int WriteGroup = 2_000;
    private const int WriteGroupChars = 8 * 1024 * 1024;
    private const long RatioFloor = 1024 * 1024;

    // Imports take this transaction-level lock, so concurrent imports of overlapping records (e.g. the external
    // scanner storing what it found while an operator imports a zip) run one after the other and never deadlock
    // on rows written group by group in different orders.
    private const long ImportLockKey = 0x4f53565f494d5054; // "OSV_IMPT"

    private readonly NpgsqlDataSource _dataSource;
    private readonly AdvisoryImportOptions _limits;
    private readonly List<AdvisoryRow> _pending = [];
    private readonly Dictionary<string, string[]> _errors = [];
    private NpgsqlConnection? _connection;
    private NpgsqlTransaction? _transaction;
    private long _pendingChars;
    private int _records;
    private int _inserted;
    private int _updated;
    private int _entries;
    private long _decompressed;
    private long _compressed;
    private bool _sawZip;

    internal AdvisoryImport(NpgsqlDataSource dataSource, AdvisoryImportOptions limits)
    {
        _dataSource = dataSource;
        _limits = limits;
    }

    /// <summary>Reads a JSON body: one OSV record (an object) or an array of records, streamed element by element.</summary>
    public async Task AddJsonAsync(Stream body, CancellationToken cancellationToken)
    {
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
        try
        {
            var array = await StartsWithArrayAsync(reader, cancellationToken);
            await using var json = reader.AsStream(leaveOpen: true);
            if (array)
            {
                var index = 0;
                await foreach (var record in JsonSerializer.DeserializeAsyncEnumerable<JsonElement>(json, cancellationToken: cancellationToken))
                {
                    if (!await AddAsync($"records[{index++}]", record, cancellationToken))
                    {
                        return;
                    }
                }
            }
            else
            {
                using var document = await JsonDocument.ParseAsync(json, default, cancellationToken);
                await AddAsync("record", document.RootElement, cancellationToken);
            }
        }
        catch (JsonException e)
        {
            throw BatchRequestException.Field("body", $"The body is not valid JSON: {e.Message}");
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    /// <summary>Reads the <c>*.json</c> entries of a zip, forward only, from a stream that need not be seekable.</summary>
    public async Task AddZipAsync(Stream body, CancellationToken cancellationToken)
    {
        _sawZip = true;
        IAsyncReader reader;
        try
        {
            reader = await ZipReader.OpenAsyncReader(new CountingReadStream(body, bytes => _compressed += bytes), new ReaderOptions { LeaveStreamOpen = true }, cancellationToken);
        }
        catch (SharpCompressException e)
        {
            throw BatchRequestException.Field("body", $"The body is not a zip archive: {e.Message}");
        }
        await using (reader)
        {
            var name = "(start)";
            try
            {
                while (await reader.MoveToNextEntryAsync(cancellationToken))
                {
                    var entry = reader.Entry;
                    name = entry.Key ?? "(unnamed)";
                    if (++_entries > _limits.MaxEntries)
                    {
                        throw TooLarge("body", $"The zip has more than {_limits.MaxEntries:N0} entries (WorkerTypes:packages:Import:MaxEntries); nothing was imported.");
                    }
                    if (entry.IsDirectory)
                    {
                        continue;
                    }
                    // The header's size may lie (the counting below does not trust it), but when it says too much, stop now.
                    if (entry.Size > _limits.MaxEntryBytes)
                    {
                        throw EntryTooLarge(name);
                    }
                    await using var data = await reader.OpenEntryStreamAsync(cancellationToken);
                    long entryBytes = 0;
                    await using var counted = new CountingReadStream(data, bytes => CountDecompressed(name, entryBytes += bytes, bytes));
                    if (!name.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                    {
                        // Drained through the counter: skipping an entry inflates it too, and that work counts.
                        await counted.CopyToAsync(Stream.Null, cancellationToken);
                        continue;
                    }
                    if (!await AddEntryAsync(name, counted, cancellationToken))
                    {
                        return;
                    }
                }
            }
            catch (SharpCompressException e)
            {
                throw BatchRequestException.Field(name, $"The zip is damaged at entry {name}: {e.Message}");
            }
        }
    }

    /// <summary>Adds one record read elsewhere.</summary>
    public async Task AddAsync(AdvisoryRow record, CancellationToken cancellationToken)
    {
        CountRecord();
        await KeepAsync(record, cancellationToken);
    }

    /// <summary>Writes what is left and commits. Throws a 400 naming the invalid records (nothing is written then).</summary>
    public async Task<ImportResult> CompleteAsync(CancellationToken cancellationToken)
    {
        ThrowIfInvalid();
        if (_records == 0)
        {
            throw BatchRequestException.Field("body", _sawZip ? "The zip has no *.json records." : "No advisory records were given.");
        }
        await FlushAsync(cancellationToken);
        await _transaction!.CommitAsync(cancellationToken);
        return new ImportResult(_records, _inserted, _updated, _records - _inserted - _updated);
    }

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
        {
            await _transaction.DisposeAsync();
        }
        if (_connection is not null)
        {
            await _connection.DisposeAsync();
        }
    }

    private async Task<bool> AddEntryAsync(string name, Stream data, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(data, default, cancellationToken);
        }
        catch (JsonException e)
        {
            CountRecord();
            await data.CopyToAsync(Stream.Null, cancellationToken);
            return Invalid(name, $"{name} is not valid JSON: {e.Message}");
        }
        using (document)
        {
            return await AddAsync(name, document.RootElement, cancellationToken);
        }
    }

    /// <summary>Adds one record; false when reading should stop (enough errors to report).</summary>
    private async Task<bool> AddAsync(string source, JsonElement element, CancellationToken cancellationToken)
    {
        CountRecord();
        AdvisoryRow record;
        try
        {
            record = AdvisoryRow.From(element);
        }
        catch (FormatException e)
        {
            return Invalid(source, $"{source}: {e.Message}");
        }
        await KeepAsync(record, cancellationToken);
        return true;
    }

    private void CountRecord()
    {
        if (++_records > _limits.MaxRecords)
        {
            throw TooLarge("body", $"At most {_limits.MaxRecords:N0} records per import (WorkerTypes:packages:Import:MaxRecords); nothing was imported.");
        }
    }

    private bool Invalid(string source, string message)
    {
        _errors[source] = [message];
        // Nothing will be written: drop what waits instead of holding it.
        _pending.Clear();
        _pendingChars = 0;
        return _errors.Count < _limits.MaxReportedErrors;
    }

    private async Task KeepAsync(AdvisoryRow record, CancellationToken cancellationToken)
    {
        if (_errors.Count > 0)
        {
            return;
        }
        _pending.Add(record);
        _pendingChars += record.Json.Length;
        if (_pending.Count >= WriteGroup || _pendingChars >= WriteGroupChars)
        {
            await FlushAsync(cancellationToken);
        }
    }

    private void ThrowIfInvalid()
    {
        if (_errors.Count > 0)
        {
            var more = _errors.Count >= _limits.MaxReportedErrors ? $" (the first {_errors.Count} are named)" : "";
            throw new BatchRequestException($"{_errors.Count} advisory record(s) are invalid{more}; nothing was imported.", _errors);
        }
    }

    private void CountDecompressed(string entry, long entryBytes, int bytes)
    {
        if (entryBytes > _limits.MaxEntryBytes)
        {
            throw EntryTooLarge(entry);
        }
        _decompressed += bytes;
        if (_decompressed > _limits.MaxDecompressedBytes)
        {
            throw TooLarge("body", $"The zip inflates to more than {_limits.MaxDecompressedBytes:N0} bytes (WorkerTypes:packages:Import:MaxDecompressedBytes); nothing was imported.");
        }
        if (_decompressed > RatioFloor && _decompressed > _compressed * _limits.MaxCompressionRatio)
        {
            throw TooLarge("body", $"The zip inflates more than {_limits.MaxCompressionRatio} times ({_decompressed:N0} bytes from {_compressed:N0}; "
                + "WorkerTypes:packages:Import:MaxCompressionRatio): a zip bomb, not OSV records; nothing was imported.");
        }
    }

    private BatchRequestException EntryTooLarge(string entry) =>
        TooLarge(entry, $"{entry} inflates to more than {_limits.MaxEntryBytes:N0} bytes (WorkerTypes:packages:Import:MaxEntryBytes); nothing was imported.");

    private static BatchRequestException TooLarge(string field, string message) => BatchRequestException.Field(field, message, 413);

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_transaction is null)
        {
            _connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            _transaction = await _connection.BeginTransactionAsync(cancellationToken);
            await using var @lock = new NpgsqlCommand("select pg_advisory_xact_lock(@key)", _connection, _transaction);
            @lock.Parameters.AddWithValue("key", ImportLockKey);
            await @lock.ExecuteNonQueryAsync(cancellationToken);
        }
        if (_pending.Count == 0)
        {
            return;
        }
        // The same id twice in one group: the newest wins (one upsert may not touch a row twice); in id order.
        var group = _pending.GroupBy(record => record.Id, StringComparer.Ordinal)
            .Select(records => records.MaxBy(record => record.Modified)!)
            .OrderBy(record => record.Id, StringComparer.Ordinal).ToArray();
        _pending.Clear();
        _pendingChars = 0;
        var (inserted, updated) = await WriteAsync(_connection!, _transaction, group, cancellationToken);
        _inserted += inserted;
        _updated += updated;
    }

    /// <summary>Peeks at the first significant byte without consuming it: is the body an array?</summary>
    private static async Task<bool> StartsWithArrayAsync(PipeReader reader, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken);
            var first = FirstSignificant(read.Buffer);
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            if (first is not null || read.IsCompleted)
            {
                return first == (byte)'[';
            }
        }
    }

    private static byte? FirstSignificant(ReadOnlySequence<byte> buffer)
    {
        foreach (var segment in buffer)
        {
            foreach (var b in segment.Span)
            {
                // JSON whitespace, and the bytes of a UTF-8 byte order mark.
                if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n' or 0xEF or 0xBB or 0xBF))
                {
                    return b;
                }
            }
        }
        return null;
    }

    private static async Task<(int Inserted, int Updated)> WriteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, AdvisoryRow[] rows, CancellationToken cancellationToken)
    {
        await using var upsert = new NpgsqlCommand("""
            insert into app.advisories (id, modified, published, withdrawn, summary, severity, aliases, record)
            select a.id, a.modified, a.published, a.withdrawn, a.summary, a.severity,
                   coalesce(string_to_array(a.aliases, E'\n'), '{}'), a.record
            from unnest(@ids, @modified, @published, @withdrawn, @summaries, @severities, @aliases, @records)
                 as a(id, modified, published, withdrawn, summary, severity, aliases, record)
            on conflict (id) do update
            set modified = excluded.modified, published = excluded.published, withdrawn = excluded.withdrawn,
                summary = excluded.summary, severity = excluded.severity, aliases = excluded.aliases,
                record = excluded.record, imported_at = now()
            where excluded.modified > app.advisories.modified
            returning id, xmax = 0
            """, connection, transaction);
        upsert.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => r.Id).ToArray());
        upsert.Parameters.AddWithValue("modified", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => r.Modified).ToArray());
        upsert.Parameters.AddWithValue("published", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => (object?)r.Published ?? DBNull.Value).ToArray());
        upsert.Parameters.AddWithValue("withdrawn", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, rows.Select(r => (object?)r.Withdrawn ?? DBNull.Value).ToArray());
        upsert.Parameters.AddWithValue("summaries", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => (object?)r.Summary ?? DBNull.Value).ToArray());
        upsert.Parameters.AddWithValue("severities", NpgsqlDbType.Array | NpgsqlDbType.Text, rows.Select(r => (object?)r.Severity ?? DBNull.Value).ToArray());
        upsert.Parameters.AddWithValue("aliases", NpgsqlDbType.Array | NpgsqlDbType.Text,
            rows.Select(r => r.Aliases.Count == 0 ? (object)DBNull.Value : string.Join('\n', r.Aliases)).ToArray());
        upsert.Parameters.AddWithValue("records", NpgsqlDbType.Array | NpgsqlDbType.Jsonb, rows.Select(r => r.Json).ToArray());
        var changed = new List<string>();
        var inserted = 0;
        await using (var reader = await upsert.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                changed.Add(reader.GetString(0));
                inserted += reader.GetBoolean(1) ? 1 : 0;
            }
        }
        if (changed.Count > 0)
        {
            var byId = rows.ToDictionary(r => r.Id, StringComparer.Ordinal);
            var packages = changed.SelectMany(id => byId[id].Packages.Select(p => (Id: id, p.Ecosystem, p.NameKey))).ToList();
            await using var index = new NpgsqlBatch(connection, transaction);
            var delete = new NpgsqlBatchCommand("delete from app.advisory_packages where advisory_id = any(@ids)");
            delete.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, changed.ToArray());
            var insert = new NpgsqlBatchCommand("""
                insert into app.advisory_packages (advisory_id, ecosystem, name_key)
                select * from unnest(@ids, @ecosystems, @keys) on conflict do nothing
                """);
            insert.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Id).ToArray());
            insert.Parameters.AddWithValue("ecosystems", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Ecosystem).ToArray());
            insert.Parameters.AddWithValue("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.NameKey).ToArray());
            index.BatchCommands.Add(delete);
            index.BatchCommands.Add(insert);
            await index.ExecuteNonQueryAsync(cancellationToken);
        }
        return (inserted, changed.Count - inserted);
    }
}

/// <summary>
/// A read-only stream that reports every read's byte count, so the import can hold its limits on the bytes
/// actually read and inflated, whatever the zip's headers claim, across every entry of the import. Hand-written:
/// a read-through counter is a few lines and no library stream offers one.
/// </summary>
internal sealed class CountingReadStream(Stream inner, Action<int> onRead) : Stream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await inner.ReadAsync(buffer, cancellationToken));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int bytes)
    {
        onRead(bytes);
        return bytes;
    }
}
