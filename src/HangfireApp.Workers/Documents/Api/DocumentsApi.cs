using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Documents.Intake;
using HangfireApp.Workers.Documents.Ocr;
using HangfireApp.Workers.Documents.Storage;
using HangfireApp.Workers.Documents.Validation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Documents.Api;

public sealed record SubmittedDocumentView(long Id, string FileName);

public sealed record SubmitDocumentsView(long BatchId, IReadOnlyList<SubmittedDocumentView> Documents);

public sealed record DocumentSummaryView(long Id, string FileName, string Status, int? Pages, double? Confidence, IReadOnlyList<string> Reasons, long? BatchId,
    string Profile, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

public sealed record DocumentListView(int Page, int PageSize, long Total, IReadOnlyList<DocumentSummaryView> Documents);

public sealed record PageView(int No, string Source, string State, double? Confidence, bool TimedOut, int? Dpi, double? Skew, string? Note, string? Error);

public sealed record EntityView(string Type, string Value, int Page, int Offset, int Length, string Text, string? Key, bool? Valid);

public sealed record ValidationView(string Status, IReadOnlyList<string> Reasons);

public sealed record DocumentView(long Id, string FileName, string Format, string Status, string Profile, string Languages, string? Language,
    double? MeanConfidence, IReadOnlyList<PageView> Pages, IReadOnlyList<EntityView> Entities, ValidationView? Validation, string? Error,
    long? BatchId, bool SearchablePdf, DateTimeOffset CreatedAt, DateTimeOffset? FinishedAt);

public sealed record LanguagesView(IReadOnlyList<string> Languages, string Default);

public sealed record RerunView(long DocumentId, long BatchId, IReadOnlyList<int> Pages);

/// <summary>
/// <c>/api/documents</c>: submit scans (multipart, zip allowed), list and read documents with their pages, entities and
/// validation, their text, hOCR and searchable PDF, the installed OCR languages, and the rerun of a document's failed pages.
/// </summary>
internal static class DocumentsApi
{
    private const int PageSize = 50;

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/documents").WithTags("Documents");
        group.MapPost("", SubmitAsync).RequireAuthorization(ApiPolicies.Operator).Audited(DocumentsModule.SubmitAction).DisableAntiforgery();
        group.MapGet("/languages", Languages).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("", ListAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("/{id:long}", GetAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("/{id:long}/text", TextAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("/{id:long}/hocr", HocrAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("/{id:long}/searchable.pdf", PdfAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapPost("/{id:long}/rerun", RerunAsync).RequireAuthorization(ApiPolicies.Operator).Audited(DocumentsModule.RerunAction);
    }

    /// <summary>
    /// <c>multipart/form-data</c> with one or more <c>file</c> parts (PDF, TIFF, PNG, JPEG, or a zip of them) and the
    /// optional fields <c>languages</c> (e.g. <c>eng+deu</c>), <c>profile</c>, <c>priority</c>, <c>description</c>;
    /// optional header <c>Idempotency-Key</c>. Nothing is written unless every file is accepted.
    /// </summary>
    private static async Task<Results<Accepted<SubmitDocumentsView>, Ok<SubmitDocumentsView>>> SubmitAsync(
        HttpRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        DocumentSubmitter submitter,
        TesseractLanguages installed,
        IOptions<DocumentsOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!request.HasFormContentType)
        {
            throw new BatchRequestException("Unsupported content type.", new Dictionary<string, string[]>
            {
                ["Content-Type"] = [$"Send multipart/form-data with one or more 'file' parts, not '{request.ContentType}'."],
            }, 415);
        }
        // The whole request may carry MaxFilesPerRequest files of MaxFileBytes each; each file's own limit is checked
        // while it is copied, naming it.
        var bodyLimit = settings.MaxFileBytes * settings.MaxFilesPerRequest + 1024 * 1024;
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } sizeFeature)
        {
            sizeFeature.MaxRequestBodySize = bodyLimit;
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(new FormOptions { MultipartBodyLengthLimit = bodyLimit, ValueCountLimit = 64 }, cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
        {
            var tooLarge = e is BadHttpRequestException { StatusCode: 413 } || e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase);
            throw BatchRequestException.Field("file", $"The multipart body cannot be read: {e.Message}", tooLarge ? 413 : 400);
        }

        var parts = form.Files.GetFiles("file");
        if (parts.Count == 0)
        {
            throw BatchRequestException.Field("file", "At least one 'file' part is required (PDF, TIFF, PNG, JPEG or a zip of them).");
        }
        if (parts.Count > settings.MaxFilesPerRequest)
        {
            throw BatchRequestException.Field("file", $"{parts.Count} files in one request, more than the limit of {settings.MaxFilesPerRequest}.", 413);
        }
        var languages = form["languages"].ToString() is { Length: > 0 } asked ? asked.Trim() : settings.DefaultLanguages;
        if (installed.Missing(languages) is { } missing)
        {
            throw BatchRequestException.Field("languages",
                $"'{missing}' is not an installed OCR language; installed: {string.Join(", ", installed.All)} (combine with '+', e.g. eng+deu).");
        }
        var profile = form["profile"].ToString() is { Length: > 0 } named ? named : settings.DefaultProfile;
        if (!settings.Profiles.ContainsKey(profile))
        {
            throw BatchRequestException.Field("profile", $"'{profile}' is not a validation profile ({string.Join(", ", settings.Profiles.Keys.Order(StringComparer.Ordinal))}).");
        }
        var priorityText = form["priority"].ToString();
        if (!Priorities.TryParse(priorityText.Length == 0 ? null : priorityText, out var priority))
        {
            throw BatchRequestException.Field("priority", "priority must be high, normal or low.");
        }
        var description = form["description"].ToString() is { Length: > 0 } text ? text[..Math.Min(text.Length, 500)] : null;

        using var intake = new IntakeFiles(settings);
        foreach (var part in parts)
        {
            await using var stream = part.OpenReadStream();
            await intake.AddAsync(part.FileName, stream, cancellationToken);
        }
        await intake.ReadPagesAsync(cancellationToken);
        var hash = idempotencyKey is null ? null : await HashAsync(intake.Files, $"{languages}|{profile}|{priorityText}|{description}", cancellationToken);
        var result = await submitter.SubmitAsync(intake.Files, new DocumentRequest(languages, profile, priority, description, idempotencyKey, hash), cancellationToken);
        var view = new SubmitDocumentsView(result.BatchId, [.. result.Documents.Select(d => new SubmittedDocumentView(d.Id, d.FileName))]);
        return result.Created ? TypedResults.Accepted($"/api/batches/{result.BatchId}", view) : TypedResults.Ok(view);
    }

    private static Ok<LanguagesView> Languages(TesseractLanguages installed, IOptions<DocumentsOptions> options) =>
        TypedResults.Ok(new LanguagesView(installed.All, options.Value.DefaultLanguages));

    private static async Task<Ok<DocumentListView>> ListAsync(string? status, int? page, DocumentStore documents, CancellationToken cancellationToken)
    {
        if (status is not null && status is not (DocumentStatuses.Processing or DocumentStatuses.Valid or DocumentStatuses.NeedsReview or DocumentStatuses.Failed))
        {
            throw BatchRequestException.Field("status", "status is one of processing, valid, needs_review, failed.");
        }
        var number = page ?? 1;
        if (number is < 1 or > 1_000_000)
        {
            throw BatchRequestException.Field("page", "page must be between 1 and 1000000.");
        }
        var rows = await documents.ListAsync(status, null, (number - 1) * PageSize, PageSize, cancellationToken);
        var total = await documents.CountAsync(status, cancellationToken);
        return TypedResults.Ok(new DocumentListView(number, PageSize, total, [.. rows.Select(Summary)]));
    }

    internal static DocumentSummaryView Summary(DocumentRow row) =>
        new(row.Id, row.FileName, row.Status, row.PageCount, row.MeanConfidence, row.Reasons, row.BatchId, row.Profile, row.CreatedAt, row.FinishedAt);

    private static async Task<Results<Ok<DocumentView>, NotFound<ProblemDetails>>> GetAsync(long id, DocumentStore documents, CancellationToken cancellationToken)
    {
        var row = await documents.FindAsync(id, cancellationToken);
        if (row is null)
        {
            return NotFound(id);
        }
        var pages = await documents.PagesAsync(id, cancellationToken);
        var entities = await documents.EntitiesAsync(id, cancellationToken);
        return TypedResults.Ok(new DocumentView(row.Id, row.FileName, row.Format, row.Status, row.Profile, row.Languages, row.Language, row.MeanConfidence,
            [.. pages.Select(p => new PageView(p.PageNo, p.Source, p.State, p.Confidence, p.TimedOut, p.Dpi, p.Skew, p.Note, p.Error))],
            [.. entities.Select(e => new EntityView(e.Type, e.Value, e.Page, e.Offset, e.Length, e.Text, e.Key, e.Valid))],
            row.Status == DocumentStatuses.Processing ? null : new ValidationView(row.Status, row.Reasons),
            row.Error, row.BatchId, row.SearchablePdfFileId is not null, row.CreatedAt, row.FinishedAt));
    }

    /// <summary>The document's text, pages separated by form feeds (as Tesseract's command line writes them).</summary>
    private static async Task<Results<ContentHttpResult, NotFound<ProblemDetails>>> TextAsync(long id, DocumentStore documents, CancellationToken cancellationToken)
    {
        if (await documents.FindAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }
        var pages = await documents.PagesAsync(id, cancellationToken);
        return TypedResults.Text(string.Join("\f", pages.Select(page => page.Text ?? "")), "text/plain; charset=utf-8");
    }

    /// <summary>The document's hOCR: every OCR page's <c>ocr_page</c> in one XHTML document.</summary>
    private static async Task<Results<ContentHttpResult, NotFound<ProblemDetails>>> HocrAsync(long id, DocumentStore documents, CancellationToken cancellationToken)
    {
        var row = await documents.FindAsync(id, cancellationToken);
        if (row is null)
        {
            return NotFound(id);
        }
        var body = await documents.HocrAsync(id, cancellationToken) ?? "";
        var html = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
            <html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en" lang="en">
            <head>
              <title>{System.Net.WebUtility.HtmlEncode(row.FileName)}</title>
              <meta http-equiv="Content-Type" content="text/html;charset=utf-8"/>
              <meta name="ocr-system" content="tesseract"/>
              <meta name="ocr-capabilities" content="ocr_page ocr_carea ocr_par ocr_line ocrx_word ocrp_wconf"/>
            </head>
            <body>
            {body}
            </body>
            </html>
            """;
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    /// <summary>Streams the searchable PDF from the file store.</summary>
    private static async Task<Results<EmptyHttpResult, NotFound<ProblemDetails>>> PdfAsync(long id, HttpContext http, DocumentStore documents,
        IDocumentFileStore files, CancellationToken cancellationToken)
    {
        var row = await documents.FindAsync(id, cancellationToken);
        if (row is null)
        {
            return NotFound(id);
        }
        if (row.SearchablePdfFileId is not { } fileId || await files.LengthAsync(fileId, cancellationToken) is not { } length)
        {
            return TypedResults.NotFound(new ProblemDetails
            {
                Status = 404,
                Title = "No searchable PDF yet",
                Detail = $"Document {id} is {row.Status}; its searchable PDF is written by the nlp stage.",
            });
        }
        http.Response.ContentType = "application/pdf";
        http.Response.ContentLength = length;
        http.Response.Headers.ContentDisposition = $"inline; filename=\"document-{id}.pdf\"";
        await files.CopyToAsync(fileId, http.Response.Body, cancellationToken);
        return TypedResults.Empty;
    }

    /// <summary>Reruns the document's failed pages (and those that hit their deadline) through ocr → nlp → validation.</summary>
    private static async Task<Results<Accepted<RerunView>, NotFound<ProblemDetails>>> RerunAsync(long id, DocumentRerun rerun, CancellationToken cancellationToken)
    {
        var result = await rerun.RunAsync(id, cancellationToken);
        return result is null ? NotFound(id) : TypedResults.Accepted($"/api/batches/{result.BatchId}", result);
    }

    private static NotFound<ProblemDetails> NotFound(long id) =>
        TypedResults.NotFound(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Document {id} does not exist." });

    private static async Task<string> HashAsync(IReadOnlyList<IntakeFile> files, string fields, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(fields));
        foreach (var file in files)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(file.FileName));
            await using var stream = File.OpenRead(file.Content.Path);
            var buffer = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        return Convert.ToHexString(hash.GetHashAndReset()).ToLower(CultureInfo.InvariantCulture);
    }
}
