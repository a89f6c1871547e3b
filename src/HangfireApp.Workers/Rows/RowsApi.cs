using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using HangfireApp.Batches.Audit;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Submit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// The <c>rows</c> worker type's API: <c>POST /api/rows/csv</c> uploads a CSV with the call that enriches each row
/// and starts the batch; its output is <c>GET /api/batches/{id}/output.csv</c>.
/// </summary>
internal static class RowsApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGroup("").WithTags("Rows")
            .MapPost("/rows/csv", UploadAsync)
            .RequireAuthorization(ApiPolicies.Operator)
            .Audited(RowsModule.SubmitAction)
            .DisableAntiforgery(); // an API-key API, no cookies: there is no cross-site form to defend against
    }

    /// <summary>
    /// <c>multipart/form-data</c>: <c>file</c> (the CSV), <c>call</c> (the call as JSON, a field or a file), and the
    /// optional fields <c>delimiter</c> (<c>,</c> <c>;</c> <c>tab</c> <c>|</c>; detected by default), <c>chunkSize</c>,
    /// <c>priority</c>, <c>description</c>; optional header <c>Idempotency-Key</c>. Nothing is written unless
    /// everything is valid.
    /// </summary>
    private static async Task<Results<Accepted<RowsUploadView>, Ok<RowsUploadView>>> UploadAsync(
        HttpRequest request,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        RowsSubmitter submitter,
        SecretProtector protector,
        BatchQueries queries,
        IOptions<RowsOptions> options,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!request.HasFormContentType)
        {
            throw new BatchRequestException("Unsupported content type.", new Dictionary<string, string[]>
            {
                ["Content-Type"] = [$"Send multipart/form-data with a 'file' part (the CSV) and a 'call' part (JSON), not '{request.ContentType}'."],
            }, 415);
        }
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw BatchRequestException.Field("file", $"The multipart body cannot be read: {e.Message}", e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400);
        }

        var file = form.Files.GetFile("file")
            ?? throw BatchRequestException.Field("file", "A 'file' part with the CSV is required.");
        if (file.Length > settings.MaxFileBytes)
        {
            throw BatchRequestException.Field("file", $"The file has {file.Length} bytes, more than the limit of {settings.MaxFileBytes}.", 413);
        }
        var callText = form.Files.GetFile("call") is { } callFile ? await ReadTextAsync(callFile, cancellationToken) : form["call"].ToString();
        var call = ParseCall(callText);
        var delimiter = ParseDelimiter(form["delimiter"].ToString());
        var (chunkSize, priority) = ParseBatchFields(form);

        CsvTable table;
        try
        {
            await using var stream = file.OpenReadStream();
            table = await CsvInput.ReadAsync(stream, new CsvReadOptions { MaxBytes = settings.MaxFileBytes, MaxRows = settings.MaxRows, Delimiter = delimiter }, cancellationToken);
        }
        catch (CsvInputException e)
        {
            throw BatchRequestException.Field("file", e.Message);
        }
        if (table.Rows.Count == 0)
        {
            throw BatchRequestException.Field("file", "The file has a header but no rows.");
        }

        var (normalized, _, errors) = RowsCallValidation.Normalize(call, table.Headers, settings, protector.HasKey);
        if (normalized is null)
        {
            throw new BatchRequestException("The call is invalid.", errors);
        }
        var description = form["description"].ToString() is { Length: > 0 } text ? text : $"{Shorten(file.FileName)}: {table.Rows.Count} rows";
        var hash = idempotencyKey is null ? null : await HashAsync(file, callText, form, cancellationToken);
        var result = await submitter.SubmitAsync(new RowsUpload(table, normalized, chunkSize, priority, description, idempotencyKey, hash), cancellationToken);
        var view = new RowsUploadView((await queries.GetAsync(result.BatchId, cancellationToken))!, table.Rows.Count, table.Headers,
            table.Delimiter == '\t' ? "tab" : table.Delimiter.ToString(), normalized.Redacted());
        return result.Created ? TypedResults.Accepted($"/api/batches/{result.BatchId}", view) : TypedResults.Ok(view);
    }

    private static string Shorten(string fileName) => fileName.Length > 200 ? fileName[..200] + "…" : fileName;

    private static RowsCall ParseCall(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw BatchRequestException.Field("call", "A 'call' part is required: JSON such as {\"urlTemplate\": \"https://api.example.com/people/{email}\"}.");
        }
        try
        {
            return JsonSerializer.Deserialize<RowsCall>(text, RowsCall.Json)
                ?? throw BatchRequestException.Field("call", "call must be a JSON object.");
        }
        catch (JsonException e)
        {
            // The message names the JSON path, never a value (which may be a secret).
            throw BatchRequestException.Field(e.Path is { Length: > 1 } path ? "call" + path[1..] : "call",
                $"call is not valid: {e.Message.Split(" Path:")[0]}");
        }
    }

    private static char? ParseDelimiter(string text) => text switch
    {
        "" => null,
        "," or ";" or "|" => text[0],
        "\t" or "tab" or "\\t" => '\t',
        _ => throw BatchRequestException.Field("delimiter", "delimiter is one of , ; | tab (or left out to detect it)."),
    };

    private static (int? ChunkSize, Priority Priority) ParseBatchFields(IFormCollection form)
    {
        int? chunkSize = null;
        if (form["chunkSize"].ToString() is { Length: > 0 } size)
        {
            chunkSize = int.TryParse(size, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed is >= 1 and <= 100_000
                ? parsed
                : throw BatchRequestException.Field("chunkSize", "chunkSize must be between 1 and 100000.");
        }
        var priorityText = form["priority"].ToString();
        return Priorities.TryParse(priorityText.Length == 0 ? null : priorityText, out var priority)
            ? (chunkSize, priority)
            : throw BatchRequestException.Field("priority", "priority must be high, normal or low.");
    }

    private static async Task<string> ReadTextAsync(IFormFile file, CancellationToken cancellationToken)
    {
        if (file.Length > 1024 * 1024)
        {
            throw BatchRequestException.Field("call", "The call is at most 1 MB of JSON.", 413);
        }
        using var reader = new StreamReader(file.OpenReadStream(), Encoding.UTF8);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    /// <summary>What the idempotency key stands for: the file, the call and the batch fields, hashed.</summary>
    private static async Task<string> HashAsync(IFormFile file, string call, IFormCollection form, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        await using (var stream = file.OpenReadStream())
        {
            var buffer = new byte[81_920];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.AppendData(buffer, 0, read);
            }
        }
        foreach (var field in new[] { call, form["delimiter"].ToString(), form["chunkSize"].ToString(), form["priority"].ToString(), form["description"].ToString() })
        {
            hash.AppendData(Encoding.UTF8.GetBytes("\0" + field));
        }
        return Convert.ToHexString(hash.GetHashAndReset());
    }
}

/// <summary>The answer to an upload: the batch, what was read from the CSV, and the call with secret values removed.</summary>
public sealed record RowsUploadView(BatchView Batch, int Rows, IReadOnlyList<string> Columns, string Delimiter, RowsCall Call);
