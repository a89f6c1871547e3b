using HangfireApp.Auth;
using HangfireApp.Batches;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Queries;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HangfireApp.Api.Audit;

/// <summary><c>GET /api/audit?page=&amp;actor=&amp;action=</c> (admin): the audit log, newest first.</summary>
public static class AuditApi
{
    private const int MaxFilterLength = 200;

    public static WebApplication MapAuditApi(this WebApplication app)
    {
        app.MapGet("/api/audit", ListAsync).RequireAuthorization(AuthSetup.AdminPolicy).WithTags("Audit");
        return app;
    }

    private static async Task<Results<Ok<Page<AuditEntry>>, ProblemHttpResult>> ListAsync(
        int? page, string? actor, string? action, AuditLog audit, IOptions<BatchLimitsOptions> limits, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1)
        {
            errors["page"] = ["page starts at 1."];
        }
        if (actor?.Length > MaxFilterLength)
        {
            errors["actor"] = [$"actor is at most {MaxFilterLength} characters."];
        }
        if (action?.Length > MaxFilterLength)
        {
            errors["action"] = [$"action is at most {MaxFilterLength} characters."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.Problem(new HttpValidationProblemDetails(errors) { Status = 400, Title = "The request is invalid." });
        }
        return TypedResults.Ok(await audit.ListAsync(page ?? 1, limits.Value.PageSize, Blank(actor), Blank(action), cancellationToken));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
