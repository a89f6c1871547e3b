using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using HangfireApp.Batches.Audit;
using System.Security.Cryptography;
using System.Text.Json;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Submit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HangfireApp.Workers.Scrape;

/// <summary>The <c>scrape</c> worker type's API: submit a list of URLs (optionally crawled) as one batch.</summary>
internal static class ScrapeApi
{
    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGroup("").WithTags("Scrape")
            .MapPost("/scrape", SubmitAsync).RequireAuthorization(ApiPolicies.Operator).Audited(ScrapeModule.SubmitAction);
    }

    /// <summary><c>{urls: [...], followLinks?: {sameHostOnly, maxDepth, maxPages}, chunkSize?, priority?, description?}</c>
    /// → <c>202</c> with the batch (its output is <c>GET /api/batches/{id}/output.csv</c> once it is final).</summary>
    private static async Task<Results<Accepted<BatchView>, Ok<BatchView>>> SubmitAsync(
        ScrapeRequest body,
        [FromHeader(Name = "Idempotency-Key")] string? idempotencyKey,
        ScrapeOptions options,
        BatchSubmitter submitter,
        BatchQueries queries,
        CancellationToken cancellationToken)
    {
        var items = ScrapeRequests.ToItems(body, options);
        if (!Priorities.TryParse(body.Priority, out var priority))
        {
            throw BatchRequestException.Field("priority", "priority must be high, normal or low.");
        }
        var description = body.Description ?? $"scrape: {items.Count} URL(s){(body.FollowLinks is null ? "" : ", following links")}";
        var result = await submitter.SubmitAsync(new SubmitBatch(ScrapeWorkerType.Name, items, body.ChunkSize, priority, description,
            IdempotencyKey: idempotencyKey,
            RequestHash: idempotencyKey is null ? null : Convert.ToHexString(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(body)))), cancellationToken);
        var batch = (await queries.GetAsync(result.BatchId, cancellationToken))!;
        return result.Created ? TypedResults.Accepted($"/api/batches/{result.BatchId}", batch) : TypedResults.Ok(batch);
    }
}
