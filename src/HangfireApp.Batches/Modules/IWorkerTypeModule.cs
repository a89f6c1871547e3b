using Microsoft.AspNetCore.Routing;

namespace HangfireApp.Batches.Modules;

/// <summary>
/// A worker type as one module: one folder that declares, through this contract, everything the type brings —
/// its name, handler(s), options, services, HTTP endpoints, SQL migrations, audit action names, recurring jobs and
/// dashboard additions. The host registers every module with one call (<see cref="WorkerTypesSetup.AddWorkerTypes"/>)
/// and maps them with another (<see cref="WorkerTypesSetup.MapWorkerTypes"/>); neither the host nor the engine names
/// a worker type.
/// </summary>
/// <remarks>
/// Implementations are small, stateless classes with a parameterless constructor; <see cref="Register"/> runs once,
/// while the host's services are being composed (nothing is resolved yet), and <see cref="MapEndpoints"/> once,
/// when the host maps its endpoints.
/// </remarks>
public interface IWorkerTypeModule
{
    /// <summary>
    /// The worker type's name: lowercase letters, digits, <c>_</c> and <c>-</c>. It names the type in the API and in
    /// stored batches, its settings section (<c>WorkerTypes:&lt;name&gt;</c>) and, by default, its queue.
    /// </summary>
    string Name { get; }

    /// <summary>
    /// Declares the type: its handler (<see cref="WorkerTypeBuilder.Handler{THandler}"/> or
    /// <see cref="WorkerTypeBuilder.BulkHandler{THandler}"/>), and optionally a final handler, default settings,
    /// options, services, migrations, audit actions, recurring jobs and dashboard additions.
    /// </summary>
    void Register(WorkerTypeBuilder builder);

    /// <summary>
    /// Maps the type's HTTP endpoints on <paramref name="api"/>, a route group of its own under <c>/api</c>
    /// (authorise with <see cref="ApiPolicies"/>, record operator calls with
    /// <see cref="Audit.AuditedAction.Audited{TBuilder}"/>). Errors are thrown as
    /// <see cref="Submit.BatchRequestException"/> and answered as ProblemDetails by the host. Default: no endpoints.
    /// </summary>
    void MapEndpoints(IEndpointRouteBuilder api)
    {
    }
}
