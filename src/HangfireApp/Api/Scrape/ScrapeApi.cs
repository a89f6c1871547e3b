using HangfireApp.Api.Audit;
using HangfireApp.Batches.Audit;
using System.Security.Cryptography;
using System.Text.Json;
using HangfireApp.Auth;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Scrape;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HangfireApp.Api.Scrape;

/// <summary>The <c>scrape</c> worker type's API: submit a list of URLs (optionally crawled) as one batch.</summary>
public static class ScrapeApi
{
    public static WebApplication MapScrapeApi(this WebApplication app)
    {
        app.MapGroup("/api").WithTags("Scrape")
            .MapPost("/scrape", SubmitAsync).RequireAuthorization(AuthSetup.OperatorPolicy).Audited(AuditActions.ScrapeSubmit);
        return app;
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
