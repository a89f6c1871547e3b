using System.Text.Json;
using HangfireApp.Batches;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Telemetry.Intake;
using HangfireApp.Workers.Telemetry.Parsing;
using HangfireApp.Workers.Telemetry.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// The <c>telemetry</c> worker type's API: register matches (uploaded files or URLs), read a match, a player (per
/// match and lifetime) and the leaderboard of a statistic, and reprocess a match.
/// </summary>
internal static class TelemetryApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("/telemetry").WithTags("Telemetry");
        group.MapPost("/matches", RegisterAsync).RequireAuthorization(ApiPolicies.Operator).Audited(TelemetryAuditActions.Register)
            .DisableAntiforgery(); // an API-key API, no cookies: there is no cross-site form to defend against
        group.MapGet("/matches/{matchId}", GetMatchAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapPost("/matches/{matchId}/reprocess", ReprocessAsync).RequireAuthorization(ApiPolicies.Operator).Audited(TelemetryAuditActions.Reprocess);
        group.MapGet("/players/{accountId}", GetPlayerAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapGet("/leaderboard", LeaderboardAsync).RequireAuthorization(ApiPolicies.Viewer);
    }

    /// <summary>
    /// <c>multipart/form-data</c> with one or more <c>file</c> parts (telemetry, gzip or plain; each file's match id is
    /// its <c>LogMatchDefinition.MatchId</c>), or <c>application/json</c>: <c>[{matchId, telemetryUrl}]</c> or
    /// <c>{matches: [...]}</c>. Everything is checked before anything is written; a known match merges.
    /// </summary>
    private static async Task<Accepted<IntakeResult>> RegisterAsync(
        HttpRequest request, TelemetryIntake intake, IOptions<TelemetryOptions> options, CancellationToken cancellationToken)
    {
        IReadOnlyList<MatchRegistration> registrations;
        if (request.HasFormContentType)
        {
            registrations = await RegisterFilesAsync(request, intake, options.Value, cancellationToken);
        }
        else if (IsJson(request.ContentType))
        {
            var matches = MatchRequests.Validate(await ReadUrlListAsync(request, cancellationToken));
            registrations = await intake.RegisterUrlsAsync(matches, cancellationToken);
        }
        else
        {
            throw new BatchRequestException("Unsupported content type.", new Dictionary<string, string[]>
            {
                ["Content-Type"] = [$"Send multipart/form-data with 'file' parts or application/json with [{{matchId, telemetryUrl}}] (not '{request.ContentType}')."],
            }, 415);
        }
        var batchId = await intake.SweepAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, TelemetryIntake.Summarise(registrations, batchId));
    }

    private static async Task<IReadOnlyList<MatchRegistration>> RegisterFilesAsync(
        HttpRequest request, TelemetryIntake intake, TelemetryOptions options, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw BatchRequestException.Field("file", $"The multipart body cannot be read: {e.Message}", e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) ? 413 : 400);
        }
        var files = form.Files.GetFiles("file");
        if (files.Count == 0)
        {
            throw BatchRequestException.Field("file", "Upload at least one 'file' part (PUBG telemetry, gzip or plain JSON).");
        }
        // First every file's size and match id (read from its first events), so a bad file writes nothing.
        var errors = new Dictionary<string, string[]>();
        var uploads = new List<(string MatchId, IFormFile File)>();
        for (var i = 0; i < files.Count; i++)
        {
            var file = files[i];
            var name = $"file[{i}]";
            if (file.Length > options.MaxFileBytes)
            {
                throw BatchRequestException.Field(name, $"{file.FileName}: {file.Length} bytes, more than the limit of {options.MaxFileBytes}.", 413);
            }
            try
            {
                await using var head = file.OpenReadStream();
                var matchId = await TelemetryParser.ReadMatchIdAsync(head, cancellationToken);
                if (matchId is null)
                {
                    errors[name] = [$"{file.FileName}: no LogMatchDefinition with a MatchId in its first {TelemetryParser.MatchIdSearchEvents} events."];
                }
                else if (MatchRequests.MatchIdProblem(matchId) is { } problem)
                {
                    errors[name] = [$"{file.FileName}: its {problem}"];
                }
                else if (uploads.Any(upload => upload.MatchId == matchId))
                {
                    errors[name] = [$"{file.FileName}: match '{matchId}' is uploaded twice in this request."];
                }
                else
                {
                    uploads.Add((matchId, file));
                }
            }
            catch (TelemetryFormatException e)
            {
                errors[name] = [$"{file.FileName}: {e.Message}"];
            }
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"{errors.Count} file(s) are not PUBG telemetry; nothing was registered.", errors);
        }
        var registrations = new List<MatchRegistration>(uploads.Count);
        foreach (var (matchId, file) in uploads)
        {
            await using var content = file.OpenReadStream();
            registrations.Add(await intake.RegisterUploadAsync(matchId, content, options.MaxFileBytes, cancellationToken));
        }
        return registrations;
    }

    private static async Task<IReadOnlyList<MatchUrlInput?>> ReadUrlListAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException e)
        {
            throw BatchRequestException.Field("body", $"The body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("matches", out var matches) ? matches : root;
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw BatchRequestException.Field("body", "Send [{matchId, telemetryUrl}] or {\"matches\": [...]}.");
            }
            var inputs = new List<MatchUrlInput?>(list.GetArrayLength());
            foreach (var entry in list.EnumerateArray())
            {
                inputs.Add(entry.ValueKind == JsonValueKind.Object ? new MatchUrlInput(Text(entry, "matchId"), Text(entry, "telemetryUrl")) : null);
            }
            return inputs;
        }
    }

    private static string? Text(JsonElement entry, string property) =>
        entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static async Task<Results<Ok<MatchView>, ProblemHttpResult>> GetMatchAsync(string matchId, TelemetryMatchStore store, CancellationToken cancellationToken) =>
        await store.GetMatchAsync(matchId, cancellationToken) is { } match
            ? TypedResults.Ok(match)
            : NotFound($"Match '{matchId}' is not registered.");

    private static async Task<Results<Accepted<ReprocessResult>, ProblemHttpResult>> ReprocessAsync(
        string matchId, TelemetryMatchStore store, TelemetryIntake intake, CancellationToken cancellationToken)
    {
        var previous = await store.ReprocessAsync(matchId, cancellationToken);
        if (previous is null)
        {
            return NotFound($"Match '{matchId}' is not registered.");
        }
        if (previous is MatchStatuses.Queued or MatchStatuses.Processing)
        {
            return Conflict($"Match '{matchId}' is {previous}: reprocess it once it is processed or failed.");
        }
        var batchId = await intake.SweepAsync(cancellationToken);
        return TypedResults.Accepted((string?)null, new ReprocessResult(matchId, previous, batchId));
    }

    private static async Task<Results<Ok<PlayerView>, ProblemHttpResult>> GetPlayerAsync(string accountId, TelemetryMatchStore store, CancellationToken cancellationToken) =>
        await store.GetPlayerAsync(accountId, cancellationToken) is { } player
            ? TypedResults.Ok(player)
            : NotFound($"No processed match has player '{accountId}'.");

    private static async Task<Results<Ok<Leaderboard>, ProblemHttpResult>> LeaderboardAsync(
        string? stat, int? page, TelemetryMatchStore store, IOptions<BatchLimitsOptions> limits, CancellationToken cancellationToken)
    {
        var definition = StatCatalog.Find(stat ?? "kills");
        if (definition is null)
        {
            return BadQuery("stat", $"stat must be one of {string.Join(", ", StatCatalog.All.Select(s => s.Name))} (got '{stat}').");
        }
        if (page is < 1)
        {
            return BadQuery("page", "page starts at 1.");
        }
        return TypedResults.Ok(await store.LeaderboardAsync(definition, page ?? 1, limits.Value.PageSize, cancellationToken));
    }

    private static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status404NotFound, title: "Not found.");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail: detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict.");

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    private static ProblemHttpResult BadQuery(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400, Title = "The request is invalid.",
        });
}

/// <summary>What <c>POST /api/telemetry/matches/{matchId}/reprocess</c> did.</summary>
public sealed record ReprocessResult(string MatchId, string PreviousStatus, long? BatchId);

/// <summary>The audit actions of the <c>telemetry</c> API.</summary>
public static class TelemetryAuditActions
{
    public const string Register = "telemetry.register";
    public const string Reprocess = "telemetry.reprocess";
}
