using System.Text.Json;
using HangfireApp.Workers.Documents.Nlp;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Validation;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Documents.Storage;

/// <summary>A document as the stages read it.</summary>
public sealed record DocumentRow(long Id, long? BatchId, string FileName, string Format, long SourceFileId, string Languages, string Profile,
    string Status, int? PageCount, int PagesDone, string? Language, double? MeanConfidence, IReadOnlyList<string> Reasons, string? Error,
    long? SearchablePdfFileId, string? Description, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

/// <summary>A page as the stages and the API read it (the hOCR and TSV are read on their own).</summary>
public sealed record PageRow(long DocumentId, int PageNo, string Source, string State, long? ImageFileId, int? Dpi, double? Skew,
    string? Text, double? Confidence, bool TimedOut, long? PdfFileId, string? Note, string? Error);

/// <summary>What the ocr stage stores for a page.</summary>
public sealed record PageOutcome(string State, string? Text, double? Confidence, bool TimedOut, string? Tsv, string? Hocr, long? PdfFileId, string? Error);

/// <summary>
/// The documents pipeline's rows: documents, their pages and entities. Files go through <see cref="IDocumentFileStore"/>.
/// Every write that hands work on (pages to OCR, a document to NLP) is idempotent, because a chunk may run an item twice.
/// </summary>
public sealed class DocumentStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>This process as <c>host:pid</c>, recorded on the pages it reads.</summary>
    public static readonly string ProcessName = $"{Environment.MachineName}:{Environment.ProcessId}";

    public NpgsqlDataSource DataSource => dataSource;

    public static async Task<long> InsertDocumentAsync(NpgsqlConnection connection, string fileName, string format, long sourceFileId, string languages,
        string profile, string? description, int pageCount, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            insert into app.documents (file_name, format, source_file_id, languages, profile, description, page_count)
            values (@name, @format, @file, @languages, @profile, @description, @pages) returning id
            """, connection);
        command.Parameters.AddWithValue("name", fileName);
        command.Parameters.AddWithValue("format", format);
        command.Parameters.AddWithValue("file", sourceFileId);
        command.Parameters.AddWithValue("languages", languages);
        command.Parameters.AddWithValue("profile", profile);
        command.Parameters.AddWithValue("description", (object?)description ?? DBNull.Value);
        command.Parameters.AddWithValue("pages", pageCount);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task SetBatchAsync(NpgsqlConnection connection, IReadOnlyList<long> documentIds, long batchId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("update app.documents set batch_id = @batch where id = any(@ids)", connection);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("ids", documentIds.ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<DocumentRow?> FindAsync(long documentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectDocument} where id = @id");
        command.Parameters.AddWithValue("id", documentId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadDocument(reader) : null;
    }

    public async Task<IReadOnlyList<DocumentRow>> ListAsync(string? status, long? batchId, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            {SelectDocument}
            where (@status::text is null or status = @status) and (@batch::bigint is null or batch_id = @batch)
            order by id desc offset @offset limit @limit
            """);
        command.Parameters.AddWithValue("status", NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        command.Parameters.AddWithValue("batch", NpgsqlDbType.Bigint, (object?)batchId ?? DBNull.Value);
        command.Parameters.AddWithValue("offset", offset);
        command.Parameters.AddWithValue("limit", limit);
        var rows = new List<DocumentRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadDocument(reader));
        }
        return rows;
    }

    public async Task<long> CountAsync(string? status, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select count(*) from app.documents where (@status::text is null or status = @status)");
        command.Parameters.AddWithValue("status", NpgsqlDbType.Text, (object?)status ?? DBNull.Value);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Replaces the document's pages with <paramref name="pages"/> (a retried preprocessing starts over) and resets its
    /// OCR bookkeeping. In the caller's transaction, together with the page images.
    /// </summary>
    public static async Task ReplacePagesAsync(NpgsqlConnection connection, long documentId, IReadOnlyList<(SplitPage Page, long? ImageFileId)> pages, CancellationToken cancellationToken)
    {
        await using (var clear = new NpgsqlCommand("""
            delete from app.document_entities where document_id = @id;
            delete from app.document_pages where document_id = @id;
            update app.documents set page_count = @count, pages_done = 0, completed_by_page = null, status = 'processing',
                reasons = '[]', error = null, finished_at = null where id = @id;
            """, connection))
        {
            clear.Parameters.AddWithValue("id", documentId);
            clear.Parameters.AddWithValue("count", pages.Count);
            await clear.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var writer = await connection.BeginBinaryImportAsync(
            "copy app.document_pages (document_id, page_no, source, image_file_id, dpi, skew, text, tsv, note) from stdin (format binary)", cancellationToken);
        foreach (var (page, imageFileId) in pages)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(documentId, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync(page.PageNo, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(page.Source, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(writer, imageFileId, NpgsqlDbType.Bigint, cancellationToken);
            await WriteNullableAsync(writer, page.Image?.Dpi, NpgsqlDbType.Integer, cancellationToken);
            await WriteNullableAsync(writer, page.Image is null ? null : (float?)page.Image.SkewDegrees, NpgsqlDbType.Real, cancellationToken);
            await WriteNullableAsync(writer, page.Text, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(writer, page.Tsv, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(writer, page.Note, NpgsqlDbType.Text, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    public async Task<PageRow?> FindPageAsync(long documentId, int pageNo, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectPage} where document_id = @id and page_no = @page");
        command.Parameters.AddWithValue("id", documentId);
        command.Parameters.AddWithValue("page", pageNo);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadPage(reader) : null;
    }

    public async Task<IReadOnlyList<PageRow>> PagesAsync(long documentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"{SelectPage} where document_id = @id order by page_no");
        command.Parameters.AddWithValue("id", documentId);
        var pages = new List<PageRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pages.Add(ReadPage(reader));
        }
        return pages;
    }

    /// <summary>
    /// Stores a page's OCR outcome once (a page already final is left as it is) and counts it towards its document.
    /// Returns true when this page is the one that completed the document — also when asked again for that page — so
    /// exactly one item hands the document to the next stage, even if it runs twice.
    /// </summary>
    public static async Task<bool> CompletePageAsync(NpgsqlConnection connection, long documentId, int pageNo, PageOutcome outcome, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            with page as (
                update app.document_pages
                set state = @state, text = coalesce(@text, text), confidence = @confidence, timed_out = @timedOut,
                    tsv = coalesce(@tsv, tsv), hocr = @hocr, pdf_file_id = @pdf, error = @error, processed_by = @by
                where document_id = @id and page_no = @page and state = 'pending'
                returning page_no
            ), counted as (
                update app.documents d
                set pages_done = d.pages_done + 1,
                    completed_by_page = case when d.pages_done + 1 = d.page_count then @page else d.completed_by_page end
                where d.id = @id and exists (select 1 from page)
                returning completed_by_page
            )
            select coalesce((select completed_by_page from counted), (select completed_by_page from app.documents where id = @id)) = @page
            """, connection);
        command.Parameters.AddWithValue("id", documentId);
        command.Parameters.AddWithValue("page", pageNo);
        command.Parameters.AddWithValue("state", outcome.State);
        command.Parameters.AddWithValue("text", NpgsqlDbType.Text, (object?)outcome.Text ?? DBNull.Value);
        command.Parameters.AddWithValue("confidence", NpgsqlDbType.Real, outcome.Confidence is { } c ? (float)c : DBNull.Value);
        command.Parameters.AddWithValue("timedOut", outcome.TimedOut);
        command.Parameters.AddWithValue("tsv", NpgsqlDbType.Text, (object?)outcome.Tsv ?? DBNull.Value);
        command.Parameters.AddWithValue("hocr", NpgsqlDbType.Text, (object?)outcome.Hocr ?? DBNull.Value);
        command.Parameters.AddWithValue("pdf", NpgsqlDbType.Bigint, (object?)outcome.PdfFileId ?? DBNull.Value);
        command.Parameters.AddWithValue("error", NpgsqlDbType.Text, (object?)outcome.Error ?? DBNull.Value);
        command.Parameters.AddWithValue("by", ProcessName);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    /// <summary>The NLP stage's results: language, mean confidence, the searchable PDF and the entities (replaced).</summary>
    public static async Task SaveAnalysisAsync(NpgsqlConnection connection, long documentId, string language, double? meanConfidence, long? searchablePdfFileId,
        IReadOnlyList<Entity> entities, CancellationToken cancellationToken)
    {
        await using (var update = new NpgsqlCommand("""
            update app.documents set language = @language, mean_confidence = @confidence, searchable_pdf_file_id = @pdf where id = @id;
            delete from app.document_entities where document_id = @id;
            """, connection))
        {
            update.Parameters.AddWithValue("id", documentId);
            update.Parameters.AddWithValue("language", language);
            update.Parameters.AddWithValue("confidence", NpgsqlDbType.Real, meanConfidence is { } c ? (float)c : DBNull.Value);
            update.Parameters.AddWithValue("pdf", NpgsqlDbType.Bigint, (object?)searchablePdfFileId ?? DBNull.Value);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await WriteEntitiesAsync(connection, documentId, entities, cancellationToken);
    }

    public async Task<IReadOnlyList<Entity>> EntitiesAsync(long documentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select type, value, page_no, start_offset, length, text, key, valid from app.document_entities where document_id = @id order by seq
            """);
        command.Parameters.AddWithValue("id", documentId);
        var entities = new List<Entity>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entities.Add(new Entity(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetInt32(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetBoolean(7)));
        }
        return entities;
    }

    /// <summary>The validation stage's verdict, with the entities' checks.</summary>
    public async Task SaveOutcomeAsync(long documentId, ValidationOutcome outcome, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var update = new NpgsqlCommand("""
            update app.documents set status = @status, reasons = @reasons::jsonb, error = @error, finished_at = now() where id = @id;
            delete from app.document_entities where document_id = @id;
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("id", documentId);
            update.Parameters.AddWithValue("status", outcome.Status);
            update.Parameters.AddWithValue("reasons", JsonSerializer.Serialize(outcome.Reasons, Json));
            update.Parameters.AddWithValue("error", NpgsqlDbType.Text, outcome.Status == DocumentStatuses.Failed && outcome.Reasons.Count > 0 ? outcome.Reasons[0] : DBNull.Value);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await WriteEntitiesAsync(connection, documentId, outcome.Entities, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Ends a document that cannot go on (its file is unreadable) as <c>failed</c> with the error.</summary>
    public async Task FailAsync(long documentId, string error, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.documents set status = 'failed', error = @error, reasons = jsonb_build_array(@error::text), finished_at = now() where id = @id
            """);
        command.Parameters.AddWithValue("id", documentId);
        command.Parameters.AddWithValue("error", error);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Puts a document's failed pages, and the pages that hit their OCR deadline, back to pending for a rerun and returns
    /// their numbers; the document is <c>processing</c> again. Empty (and nothing changed) when it has none.
    /// </summary>
    public static async Task<IReadOnlyList<int>> ResetFailedPagesAsync(NpgsqlConnection connection, long documentId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("""
            with old as (
                select page_no from app.document_pages
                where document_id = @id and (state = 'failed' or (state = 'done' and timed_out))
                for update
            ), reset as (
                update app.document_pages p
                set state = 'pending', error = null, timed_out = false, confidence = null, hocr = null, pdf_file_id = null,
                    text = case when p.source = 'image' then null else p.text end
                from old where p.document_id = @id and p.page_no = old.page_no
                returning p.page_no
            ), counted as (
                update app.documents set pages_done = pages_done - (select count(*) from reset),
                    completed_by_page = null, status = 'processing', finished_at = null
                where id = @id and exists (select 1 from reset)
            )
            select page_no from reset order by page_no
            """, connection);
        command.Parameters.AddWithValue("id", documentId);
        var pages = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            pages.Add(reader.GetInt32(0));
        }
        return pages;
    }

    public async Task<string?> HocrAsync(long documentId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select string_agg(coalesce(hocr, ''), E'\n' order by page_no) from app.document_pages where document_id = @id
            """);
        command.Parameters.AddWithValue("id", documentId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    private static async Task WriteEntitiesAsync(NpgsqlConnection connection, long documentId, IReadOnlyList<Entity> entities, CancellationToken cancellationToken)
    {
        await using var writer = await connection.BeginBinaryImportAsync(
            "copy app.document_entities (document_id, seq, type, value, page_no, start_offset, length, text, key, valid) from stdin (format binary)", cancellationToken);
        var seq = 0;
        foreach (var entity in entities)
        {
            await writer.StartRowAsync(cancellationToken);
            await writer.WriteAsync(documentId, NpgsqlDbType.Bigint, cancellationToken);
            await writer.WriteAsync(seq++, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(entity.Type, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(entity.Value, NpgsqlDbType.Text, cancellationToken);
            await writer.WriteAsync(entity.Page, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(entity.Offset, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(entity.Length, NpgsqlDbType.Integer, cancellationToken);
            await writer.WriteAsync(entity.Text, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(writer, entity.Key, NpgsqlDbType.Text, cancellationToken);
            await WriteNullableAsync(writer, entity.Valid, NpgsqlDbType.Boolean, cancellationToken);
        }
        await writer.CompleteAsync(cancellationToken);
    }

    private static async Task WriteNullableAsync<T>(NpgsqlBinaryImporter writer, T? value, NpgsqlDbType type, CancellationToken cancellationToken)
    {
        if (value is null)
        {
            await writer.WriteNullAsync(cancellationToken);
        }
        else
        {
            await writer.WriteAsync(value, type, cancellationToken);
        }
    }

    private const string SelectDocument = """
        select id, batch_id, file_name, format, source_file_id, languages, profile, status, page_count, pages_done, language,
               mean_confidence, reasons::text, error, searchable_pdf_file_id, description, created_at, finished_at
        from app.documents
        """;

    private static DocumentRow ReadDocument(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.GetInt64(4),
        reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt32(8), reader.GetInt32(9),
        reader.IsDBNull(10) ? null : reader.GetString(10), reader.IsDBNull(11) ? null : reader.GetFloat(11),
        JsonSerializer.Deserialize<List<string>>(reader.GetString(12), Json) ?? [], reader.IsDBNull(13) ? null : reader.GetString(13),
        reader.IsDBNull(14) ? null : reader.GetInt64(14), reader.IsDBNull(15) ? null : reader.GetString(15),
        reader.GetFieldValue<DateTimeOffset>(16), reader.IsDBNull(17) ? null : reader.GetFieldValue<DateTimeOffset>(17));

    private const string SelectPage = """
        select document_id, page_no, source, state, image_file_id, dpi, skew, text, confidence, timed_out, pdf_file_id, note, error
        from app.document_pages
        """;

    private static PageRow ReadPage(NpgsqlDataReader reader) => new(
        reader.GetInt64(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt64(4),
        reader.IsDBNull(5) ? null : reader.GetInt32(5), reader.IsDBNull(6) ? null : reader.GetFloat(6), reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.IsDBNull(8) ? null : reader.GetFloat(8), reader.GetBoolean(9), reader.IsDBNull(10) ? null : reader.GetInt64(10),
        reader.IsDBNull(11) ? null : reader.GetString(11), reader.IsDBNull(12) ? null : reader.GetString(12));
}
