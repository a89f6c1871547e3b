using HangfireApp.Batches.Submit;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;

namespace HangfireApp.Api;

/// <summary>Maps the engine's refusals to RFC 9457 ProblemDetails: a client's mistake is a 4xx, never a 500.</summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary><c>$.items[3].name</c> → <c>items[3].name</c>; the root is <c>$</c>.</summary>
    private static string FieldOf(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "$" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails? problem = exception switch
        {
            BatchRequestException e => new ValidationProblemDetails(e.Errors) { Status = e.StatusCode, Title = e.Message },
            BatchNotFoundException e => new ProblemDetails { Status = StatusCodes.Status404NotFound, Title = "Not found", Detail = e.Message },
            BatchConflictException e => new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = e.Message },
            PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } e => new ProblemDetails
            {
                Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = $"Already exists ({e.ConstraintName}).",
            },
            BadHttpRequestException { InnerException: JsonException json } e => new ValidationProblemDetails(
                new Dictionary<string, string[]> { [FieldOf(json.Path)] = [json.Message] })
            {
                Status = e.StatusCode, Title = "The request is invalid.", Detail = e.Message,
            },
            BadHttpRequestException e => new ProblemDetails { Status = e.StatusCode, Title = "Bad request", Detail = e.Message },
            _ when DatabaseUnavailable.Is(exception) => new ProblemDetails
            {
                Status = StatusCodes.Status503ServiceUnavailable, Title = "Database unavailable",
                Detail = "The database connection was lost or refused (a restart or failover?). Retry after Retry-After seconds; repeat a submit with the same Idempotency-Key.",
            },
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            DatabaseUnavailable.Answer(httpContext);
        }
        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
