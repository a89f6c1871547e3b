using System.IO.Compression;
using System.Text.Json;
using HangfireApp.Batches.Submit;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages.Advisories;

/// <summary>What an import did: records read, and how many were new, newer (updated) or not newer (skipped).</summary>
public sealed record ImportResult(int Records, int Inserted, int Updated, int Skipped);

/// <summary>
/// Imports OSV records: one record, an array of records, or a zip of <c>*.json</c> records (as OSV publishes
/// each ecosystem). Every record is read and checked before anything is written; then all are written in one
/// transaction. A known id is updated only when the record's <c>modified</c> is newer.
/// </summary>
public sealed class AdvisoryImporter(NpgsqlDataSource dataSource)
{
    public const int MaxRecords = 1_000_000;
    private const int WriteGroup = 2_000;
    private const long MaxEntryBytes = 16L * 1024 * 1024;

    /// <summary>Reads the records of a JSON body (an object or an array). Throws a 400 naming the bad entries.</summary>
    public static async Task<List<AdvisoryRow>> ReadJsonAsync(Stream body, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            throw BatchRequestException.Field("body", $"The body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Array
                ? Read(root.EnumerateArray().Select((record, index) => ($"records[{index}]", record)))
                : Read([("record", root)]);
        }
    }

    /// <summary>Reads the <c>*.json</c> entries of a zip. Throws a 400 naming the bad entries.</summary>
    public static async Task<List<AdvisoryRow>> ReadZipAsync(Stream body, CancellationToken cancellationToken)
    {
        // ZipArchive needs a seekable stream; a request body is not one.
        await using var buffer = new MemoryStream();
        await body.CopyToAsync(buffer, cancellationToken);
        buffer.Position = 0;
        ZipArchive archive;
        try
        {
            archive = new ZipArchive(buffer, ZipArchiveMode.Read);
        }
        catch (InvalidDataException e)
        {
            throw BatchRequestException.Field("body", $"The body is not a zip archive: {e.Message}");
        }
        using (archive)
        {
            var records = new List<(string, JsonElement)>();
            var documents = new List<JsonDocument>();
            var errors = new Dictionary<string, string[]>();
            try
            {
                foreach (var entry in archive.Entries.Where(entry => entry.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase)))
                {
                    if (entry.Length > MaxEntryBytes)
                    {
                        errors[entry.FullName] = [$"{entry.FullName} is larger than {MaxEntryBytes / 1024 / 1024} MB."];
                        continue;
                    }
                    try
                    {
                        await using var stream = await entry.OpenAsync(cancellationToken);
                        var document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
                        documents.Add(document);
                        records.Add((entry.FullName, document.RootElement));
                    }
                    catch (JsonException e)
                    {
                        errors[entry.FullName] = [$"{entry.FullName} is not valid JSON: {e.Message}"];
                    }
                }
                if (errors.Count > 0)
                {
                    throw new BatchRequestException($"{errors.Count} zip entries are invalid; nothing was imported.", errors);
                }
                if (records.Count == 0)
                {
                    throw BatchRequestException.Field("body", "The zip has no *.json records.");
                }
                return Read(records);
            }
            finally
            {
                documents.ForEach(document => document.Dispose());
            }
        }
    }

    /// <summary>Writes the records in one transaction and counts what changed.</summary>
    public async Task<ImportResult> ImportAsync(IReadOnlyList<AdvisoryRow> records, CancellationToken cancellationToken)
    {
        // The same id twice in one import: the newest wins (one upsert may not touch a row twice).
        var latest = records.GroupBy(record => record.Id, StringComparer.Ordinal)
            .Select(group => group.MaxBy(record => record.Modified)!)
            // In id order, so that concurrent imports of overlapping records lock rows in one order and never deadlock.
            .OrderBy(record => record.Id, StringComparer.Ordinal).ToList();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int inserted = 0, updated = 0;
        foreach (var group in latest.Chunk(WriteGroup))
        {
            var (i, u) = await WriteAsync(connection, transaction, group, cancellationToken);
            inserted += i;
            updated += u;
        }
        await transaction.CommitAsync(cancellationToken);
        return new ImportResult(records.Count, inserted, updated, records.Count - inserted - updated);
    }

    private static List<AdvisoryRow> Read(IEnumerable<(string Source, JsonElement Record)> records)
    {
        var rows = new List<AdvisoryRow>();
        var errors = new Dictionary<string, string[]>();
        foreach (var (source, record) in records)
        {
            if (rows.Count + errors.Count >= MaxRecords)
            {
                throw BatchRequestException.Field("body", $"At most {MaxRecords} records per import.", 413);
            }
            try
            {
                rows.Add(AdvisoryRow.From(record));
            }
            catch (FormatException e)
            {
                errors[source] = [$"{source}: {e.Message}"];
            }
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"{errors.Count} advisory record(s) are invalid; nothing was imported.", errors);
        }
        if (rows.Count == 0)
        {
            throw BatchRequestException.Field("body", "No advisory records were given.");
        }
        return rows;
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
