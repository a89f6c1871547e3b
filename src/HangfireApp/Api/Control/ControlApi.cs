using System.Security.Claims;
using Hangfire;
using HangfireApp.Auth;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Control;
using HangfireApp.JobServers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

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
        string name, ServerControlBody body, JobStorage storage, NpgsqlDataSource dataSource, AuditLog audit,
        IOptions<ControlOptions> options, ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (body.WorkerCount is not { } count || count is < 1 or > HangfireOptionsValidator.MaxWorkerCount)
        {
            return Invalid("workerCount", $"workerCount must be between 1 and {HangfireOptionsValidator.MaxWorkerCount}.");
        }
        // A server is addressed by its name as /api/servers shows it, with or without the ":pid:guid" Hangfire adds.
        var serverName = name.Split(':')[0];
        var running = storage.GetMonitoringApi().Servers()
            .Where(server => server.Name.Split(':')[0] == serverName)
            .ToList();
        if (running.Count == 0)
        {
            return TypedResults.Problem(statusCode: 404, title: "Not found",
                detail: $"No job server named '{serverName}' is running. GET /api/servers lists them (the name before the first ':').");
        }
        await using var transaction = await HangfireApp.Batches.Storage.AppTransaction.BeginAsync(dataSource, cancellationToken);
        int? before;
        await using (var read = transaction.Command("select worker_count from app.server_controls where server_name = @name for update"))
        {
            read.Parameters.AddWithValue("name", serverName);
            before = (int?)await read.ExecuteScalarAsync(cancellationToken);
        }
        await using (var write = transaction.Command("""
            insert into app.server_controls (server_name, worker_count, updated_at, updated_by) values (@name, @count, now(), @actor)
            on conflict (server_name) do update set worker_count = excluded.worker_count, updated_at = now(), updated_by = excluded.updated_by
            """))
        {
            write.Parameters.AddWithValue("name", serverName);
            write.Parameters.AddWithValue("count", count);
            write.Parameters.AddWithValue("actor", Actor(user));
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await audit.RecordAsync(transaction, Actor(user), AuditActions.ServerWorkerCount, $"server:{serverName}",
            new { workerCount = new { before = before ?? running[0].WorkersCount, after = count } }, cancellationToken);
        transaction.Complete();
        return TypedResults.Accepted("/api/servers", new ServerControlView(serverName, count, options.Value.RefreshInterval.TotalSeconds));
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
