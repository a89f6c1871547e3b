using System.Security.Claims;
using HangfireApp.Auth;
using HangfireApp.Batches.Control;
using HangfireApp.JobServers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HangfireApp.Api.Control;

/// <summary>Body of <c>PUT /api/worker-types/{name}</c>: the cluster-wide running-chunk cap, null for the configured one.</summary>
public sealed record WorkerTypeControlBody(int? MaxRunningChunks);

/// <summary>Body of <c>PUT /api/servers/{name}</c>.</summary>
public sealed record ServerControlBody(int? WorkerCount);

/// <summary>What <c>PUT /api/servers/{name}</c> stored: the hosts running that server apply it within <c>AppliesWithinSeconds</c>.</summary>
public sealed record ServerControlView(string Name, int WorkerCount, double AppliesWithinSeconds);

/// <summary>
/// Live control (operator): pause and resume a worker type, its cluster-wide cap on running chunks, and a job
/// server's WorkerCount. Every change is stored in the database (it survives restarts and reaches every host within
/// <c>Control:RefreshInterval</c>) and audited with its target and the before/after values.
/// </summary>
public static class ControlApi
{
    public static WebApplication MapControlApi(this WebApplication app)
    {
        var api = app.MapGroup("/api").WithTags("Control");
        api.MapGet("/worker-types/controls", ListAsync).RequireAuthorization(AuthSetup.ViewerPolicy);
        api.MapPost("/worker-types/{name}/pause", PauseAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapPost("/worker-types/{name}/resume", ResumeAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapPut("/worker-types/{name}", SetCapAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        api.MapPut("/servers/{name}", SetWorkerCountAsync).RequireAuthorization(AuthSetup.OperatorPolicy);
        return app;
    }

    private static async Task<Ok<IReadOnlyList<WorkerTypeControl>>> ListAsync(WorkerTypeControls controls, CancellationToken cancellationToken) =>
        TypedResults.Ok(await controls.ListAsync(cancellationToken));

    private static Task<Results<Ok<WorkerTypeControl>, ProblemHttpResult>> PauseAsync(string name, WorkerTypeControls controls, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        Guard(() => controls.PauseAsync(name, Actor(user), cancellationToken));

    private static Task<Results<Ok<WorkerTypeControl>, ProblemHttpResult>> ResumeAsync(string name, WorkerTypeControls controls, ClaimsPrincipal user, CancellationToken cancellationToken) =>
        Guard(() => controls.ResumeAsync(name, Actor(user), cancellationToken));

    private static Task<Results<Ok<WorkerTypeControl>, ProblemHttpResult>> SetCapAsync(
        string name, WorkerTypeControlBody body, WorkerTypeControls controls, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body.MaxRunningChunks is < 1 or > 100_000)
        {
            return Task.FromResult<Results<Ok<WorkerTypeControl>, ProblemHttpResult>>(
                Invalid("maxRunningChunks", "maxRunningChunks must be between 1 and 100000, or null for the configured cap."));
        }
        return Guard(() => controls.SetMaxRunningChunksAsync(name, body.MaxRunningChunks, Actor(user), cancellationToken));
    }

    private static async Task<Results<Accepted<ServerControlView>, ProblemHttpResult>> SetWorkerCountAsync(
        string name, ServerControlBody body, ServerControls servers, IOptions<ControlOptions> options, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body.WorkerCount is not { } count || count is < 1 or > HangfireOptionsValidator.MaxWorkerCount)
        {
            return Invalid("workerCount", $"workerCount must be between 1 and {HangfireOptionsValidator.MaxWorkerCount}.");
        }
        try
        {
            var serverName = await servers.SetWorkerCountAsync(name, count, Actor(user), cancellationToken);
            return TypedResults.Accepted("/api/servers", new ServerControlView(serverName, count, options.Value.RefreshInterval.TotalSeconds));
        }
        catch (ServerNotFoundException e)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: e.Message);
        }
    }

    private static async Task<Results<Ok<WorkerTypeControl>, ProblemHttpResult>> Guard(Func<Task<WorkerTypeControl>> action)
    {
        try
        {
            return TypedResults.Ok(await action());
        }
        catch (WorkerTypeNotEnabledException e)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: e.Message);
        }
    }

    private static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400, Title = "The request is invalid.",
        });

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}
