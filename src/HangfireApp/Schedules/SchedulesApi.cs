using HangfireApp.Batches.Audit;
using System.Text.Json;
using HangfireApp.Auth;
using HangfireApp.Batches.Schedules;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HangfireApp.Schedules;

/// <summary>The body of <c>POST /api/schedules</c>.</summary>
public sealed record ScheduleBody(
    string? Id,
    string? Cron,
    string? TimeZone,
    string? Misfire,
    string? WorkerType,
    List<JsonElement>? Items,
    string? Query,
    string? Priority,
    int? ChunkSize,
    string? Description);

/// <summary>
/// Recurring batch submissions: <c>POST /api/schedules</c> creates or replaces one, <c>GET</c> lists or reads,
/// <c>DELETE</c> removes, <c>POST /api/schedules/{id}/trigger</c> runs it now. Each is the Hangfire recurring
/// job <c>schedule:&lt;id&gt;</c>, on the dashboard's Recurring jobs page too.
/// </summary>
public static class SchedulesApi
{
    public static WebApplication MapSchedulesApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/schedules").WithTags("Schedules");
        api.MapPost("", SaveAsync).RequireAuthorization(AuthSetup.OperatorPolicy).Audited(AuditActions.ScheduleSave);
        api.MapGet("", ListAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapGet("/{id}", GetAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapDelete("/{id}", DeleteAsync).RequireAuthorization(AuthSetup.OperatorPolicy).Audited(AuditActions.ScheduleDelete);
        api.MapPost("/{id}/trigger", TriggerAsync).RequireAuthorization(AuthSetup.OperatorPolicy).Audited(AuditActions.ScheduleTrigger);
        return app;
    }

    private static async Task<Results<Created<ScheduleView>, Ok<ScheduleView>>> SaveAsync(ScheduleBody body, ScheduleService schedules, CancellationToken cancellationToken)
    {
        var definition = new ScheduleDefinition(body.Id ?? "", body.Cron ?? "", body.TimeZone ?? "UTC", body.Misfire ?? MisfirePolicies.Relaxed,
            body.WorkerType ?? "", body.Items, body.Query, body.Priority ?? "normal", body.ChunkSize, body.Description);
        var created = await schedules.SaveAsync(definition, cancellationToken);
        var view = (await schedules.GetAsync(definition.Id, cancellationToken))!;
        return created ? TypedResults.Created($"/api/schedules/{definition.Id}", view) : TypedResults.Ok(view);
    }

    private static async Task<Ok<List<ScheduleView>>> ListAsync(ScheduleService schedules, CancellationToken cancellationToken) =>
        TypedResults.Ok(await schedules.ListAsync(cancellationToken));

    private static async Task<Results<Ok<ScheduleView>, ProblemHttpResult>> GetAsync(string id, ScheduleService schedules, CancellationToken cancellationToken) =>
        await schedules.GetAsync(id, cancellationToken) is { } view ? TypedResults.Ok(view) : NotFound(id);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string id, ScheduleService schedules, CancellationToken cancellationToken) =>
        await schedules.DeleteAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static async Task<Results<Accepted, ProblemHttpResult>> TriggerAsync(string id, ScheduleService schedules, CancellationToken cancellationToken) =>
        await schedules.TriggerAsync(id, cancellationToken) ? TypedResults.Accepted($"/api/schedules/{id}") : NotFound(id);

    private static ProblemHttpResult NotFound(string id) =>
        TypedResults.Problem(new ProblemDetails { Status = 404, Title = "Not found", Detail = $"Schedule '{id}' does not exist." });
}
