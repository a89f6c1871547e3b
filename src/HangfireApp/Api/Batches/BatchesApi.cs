using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using HangfireApp.Auth;
using HangfireApp.Batches;
using HangfireApp.Batches.Control;
using HangfireApp.Batches.Outputs;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using HangfireApp.Batches.States;

namespace HangfireApp.Api.Batches;

/// <summary>The batches API: submit, read, cancel, rerun. JSON, camelCase; states as snake_case strings.</summary>
public static class BatchesApi
{
    private static readonly IReadOnlyList<string> States = BatchStates.All;
    private static readonly IReadOnlyList<string> ItemStates = HangfireApp.Batches.States.ItemStates.All;

    public static WebApplication MapBatchesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Batches");
        api.MapPost("/batches", SubmitAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapGet("/batches", ListAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/batches/{id:long}", GetAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/batches/{id:long}/items", ItemsAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/batches/{id:long}/errors", ErrorsAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/batches/{id:long}/chunks", ChunksAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapPost("/batches/{id:long}/cancel", CancelAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapPost("/batches/{id:long}/rerun", RerunAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapGet("/batches/{id:long}/output.csv", OutputAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/worker-types", WorkerTypes).RequireAuthorization(AuthSetup.ViewerPolicy);
        return app;
    }

    private static async Task<Results<Accepted<BatchView>, Ok<BatchView>>> SubmitAsync(
        SubmitBatchBody body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        BatchSubmitter submitter,
        BatchQueries queries,
        ClaimsPrincipal user,
        CancellationToken cancellationToken)
    {
        var request = ToRequest(body, idempotencyKey);
        var result = await submitter.SubmitAsync(request, ActorOf(user), cancellationToken);
        var batch = (await queries.GetAsync(result.BatchId, cancellationToken))!;
        return result.Created
            ? TypedResults.Accepted($"/api/batches/{result.BatchId}", batch)
            : TypedResults.Ok(batch);
    }

    private static async Task<Results<Ok<Page<BatchView>>, ProblemHttpResult>> ListAsync(
        string? state, string? workerType, int? page, BatchQueries queries, IOptions<BatchLimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (state is not null && !States.Contains(state))
        {
            return BadQuery("state", $"state must be one of {string.Join(", ", States)}.");
        }
        if (page is < 1)
        {
            return BadQuery("page", "page starts at 1.");
        }
        return TypedResults.Ok(await queries.ListAsync(state, workerType, page ?? 1, limits.Value.PageSize, cancellationToken));
    }

    private static async Task<Results<Ok<BatchView>, ProblemHttpResult>> GetAsync(long id, BatchQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is { } batch ? TypedResults.Ok(batch) : NotFound(id);

    private static async Task<Results<Ok<Page<ItemView>>, ProblemHttpResult>> ItemsAsync(
        long id, string? state, int? page, BatchQueries queries, IOptions<BatchLimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (state is not null && !ItemStates.Contains(state))
        {
            return BadQuery("state", $"state must be one of {string.Join(", ", ItemStates)}.");
        }
        if (page is < 1)
        {
            return BadQuery("page", "page starts at 1.");
        }
        if (await queries.GetAsync(id, cancellationToken) is null)
        {
            return NotFound(id);
        }
        return TypedResults.Ok(await queries.ItemsAsync(id, state, page ?? 1, limits.Value.PageSize, cancellationToken));
    }

    private static async Task<Results<Ok<IReadOnlyList<ErrorGroupView>>, ProblemHttpResult>> ErrorsAsync(long id, BatchQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is null ? NotFound(id) : TypedResults.Ok(await queries.ErrorsAsync(id, cancellationToken));

    private static async Task<Results<Ok<IReadOnlyList<ChunkView>>, ProblemHttpResult>> ChunksAsync(long id, BatchQueries queries, CancellationToken cancellationToken) =>
        await queries.GetAsync(id, cancellationToken) is null ? NotFound(id) : TypedResults.Ok(await queries.ChunksAsync(id, cancellationToken));

    private static async Task<Accepted<BatchView>> CancelAsync(long id, BatchControl control, BatchQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        await control.CancelAsync(id, ActorOf(user), cancellationToken);
        return TypedResults.Accepted($"/api/batches/{id}", (await queries.GetAsync(id, cancellationToken))!);
    }

    private static async Task<Results<Accepted<BatchView>, ProblemHttpResult>> RerunAsync(
        long id, RerunBody? body, BatchControl control, BatchQueries queries, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        RerunScope scope;
        switch (body?.Scope ?? "failed")
        {
            case "failed": scope = RerunScope.Failed; break;
            case "all": scope = RerunScope.All; break;
            default: return BadQuery("scope", "scope must be 'failed' or 'all'.");
        }
        if (body?.ChunkNo is < 0)
        {
            return BadQuery("chunkNo", "chunkNo must not be negative.");
        }
        await control.RerunAsync(id, scope, body?.ChunkNo, ActorOf(user), cancellationToken);
        return TypedResults.Accepted($"/api/batches/{id}", (await queries.GetAsync(id, cancellationToken))!);
    }

    private static Ok<List<WorkerTypeView>> WorkerTypes(WorkerTypeRegistry registry) =>
        TypedResults.Ok(registry.Enabled.OrderBy(type => type.Name, StringComparer.Ordinal).Select(type => new WorkerTypeView(
            type.Name, type.Queue, [.. QueueNames.Expand(type.Queue)], type.Options.ChunkSize, type.Options.MaxDegreeOfParallelism,
            type.Options.ItemTimeout, type.Options.Retry.Attempts, type.Options.Retry.EffectiveDelaysSeconds,
            typeof(IBulkItemHandler).IsAssignableFrom(type.HandlerType) ? "bulk" : "item", type.Options.SliceSize)).ToList());

    /// <summary>A continuation and, recursively, its next stages' own; field paths name the depth (<c>continuation.next.continuation.next.priority</c>).</summary>
    private static ContinuationSpec? ToContinuation(ContinuationBody c, string path, int depth, Dictionary<string, string[]> errors)
    {
        if (depth >= ContinuationSpec.MaxDepth)
        {
            errors["continuation"] = [$"A pipeline has at most {ContinuationSpec.MaxDepth} stages after the first."];
            return null;
        }
        var condition = ContinuationCondition.OnSuccess;
        if (c.Condition is not (null or "on_success" or "on_any_final"))
        {
            errors[$"{path}.condition"] = ["condition must be on_success or on_any_final."];
        }
        else if (c.Condition == "on_any_final")
        {
            condition = ContinuationCondition.OnAnyFinal;
        }
        Priority? nextPriority = null;
        if (c.Next?.Priority is { } p)
        {
            if (Priorities.TryParse(p, out var parsed))
            {
                nextPriority = parsed;
            }
            else
            {
                errors[$"{path}.next.priority"] = ["priority must be high, normal or low."];
            }
        }
        if (c.Next is not null && string.IsNullOrEmpty(c.Next.WorkerType))
        {
            errors[$"{path}.next.workerType"] = ["next.workerType is required."];
        }
        if (c.Next is null && c.WebhookUrl is null)
        {
            errors[path] = ["A continuation needs next, webhookUrl, or both."];
        }
        var own = c.Next?.Continuation is { } nested ? ToContinuation(nested, $"{path}.next.continuation", depth + 1, errors) : null;
        return new ContinuationSpec(condition, c.Next is null ? null : new NextStage(c.Next.WorkerType ?? "", c.Next.ChunkSize, nextPriority, own), c.WebhookUrl);
    }

    private static SubmitBatch ToRequest(SubmitBatchBody body, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        if (!Priorities.TryParse(body.Priority, out var priority))
        {
            errors["priority"] = ["priority must be high, normal or low."];
        }
        var continuation = body.Continuation is { } c ? ToContinuation(c, "continuation", 0, errors) : null;
        List<JsonElement> items = [];
        if (body.Items is { ValueKind: JsonValueKind.Array } array)
        {
            items = [.. array.EnumerateArray()];
        }
        else if (body.Items is { ValueKind: not JsonValueKind.Null })
        {
            errors["items"] = ["items must be a JSON array."];
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException("The batch request is invalid.", errors);
        }
        return new SubmitBatch(body.WorkerType ?? "", items, body.ChunkSize, priority, body.Description, continuation,
            idempotencyKey, idempotencyKey is null ? null : Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body))));
    }

    /// <summary>Streams the output file the batch's worker type assembled when the batch ended (its final handler).</summary>
    private static async Task<IResult> OutputAsync(long id, BatchQueries queries, BatchOutputStore outputs, CancellationToken cancellationToken)
    {
        if (await queries.GetAsync(id, cancellationToken) is not { } batch)
        {
            return NotFound(id);
        }
        if (await outputs.FindAsync(id, cancellationToken) is not { } output)
        {
            return TypedResults.Problem(new ProblemDetails
            {
                Status = 404, Title = "No output yet",
                Detail = $"Batch {id} ({batch.WorkerType}, {batch.State}) has no output file: it is written when a batch of a worker type that produces one ends.",
            });
        }
        return Results.Stream(
            body => outputs.CopyToAsync(id, body, cancellationToken),
            output.ContentType, output.FileName);
    }

    /// <summary>The audit actor: the API key's name (the endpoints require an authenticated key).</summary>
    private static string ActorOf(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";

    private static ProblemHttpResult NotFound(long id) =>
        TypedResults.Problem(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Batch {id} does not exist." });

    private static ProblemHttpResult BadQuery(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400, Title = "The request is invalid.",
        });
}
