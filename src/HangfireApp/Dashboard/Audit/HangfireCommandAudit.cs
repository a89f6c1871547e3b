using System.Text.RegularExpressions;
using HangfireApp.Batches.Audit;

namespace HangfireApp.Dashboard.Audit;

/// <summary>
/// Records the Hangfire dashboard's own commands (requeue, delete, enqueue of jobs; trigger and removal of recurring
/// jobs) in the audit log. Hangfire routes each as a POST under the dashboard path and answers 204 when it was
/// carried out; only those are recorded, one entry per job. The batch pages' own actions record themselves.
/// </summary>
internal static partial class HangfireCommandAudit
{
    public static WebApplication UseHangfireCommandAudit(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            await next(context);
            if (!HttpMethods.IsPost(context.Request.Method) || context.Response.StatusCode != StatusCodes.Status204NoContent
                || !context.Request.Path.StartsWithSegments(DashboardSetup.DashboardPath, out var rest)
                || DashboardAccess.UserName(context) is not { } user)
            {
                return;
            }
            await RecordAsync(context, user, rest.Value ?? "");
        });
        return app;
    }

    private static async Task RecordAsync(HttpContext context, string user, string route)
    {
        var audit = context.RequestServices.GetRequiredService<AuditLog>();
        // Recorded after the response: the client is not to wait for, nor be failed by, the audit write.
        var cancellationToken = CancellationToken.None;
        if (SingleJobCommand().Match(route) is { Success: true } single)
        {
            await audit.RecordAsync(user, $"{AuditActions.HangfirePrefix}jobs.{single.Groups["verb"].Value}",
                $"job:{Uri.UnescapeDataString(single.Groups["id"].Value)}", null, cancellationToken);
            return;
        }
        var batch = JobsBatchCommand().Match(route);
        var recurring = RecurringBatchCommand().Match(route);
        if (!batch.Success && !recurring.Success)
        {
            return;
        }
        var action = AuditActions.HangfirePrefix + route.Trim('/').Replace('/', '.');
        var prefix = batch.Success ? "job:" : "recurring-job:";
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(cancellationToken) : null;
        foreach (var id in form?["jobs[]"] ?? default)
        {
            await audit.RecordAsync(user, action, prefix + id, null, cancellationToken);
        }
    }

    [GeneratedRegex("^/jobs/actions/(?<verb>requeue|delete)/(?<id>[^/]+)$")]
    private static partial Regex SingleJobCommand();

    [GeneratedRegex("^/jobs/(enqueued|processing|scheduled|succeeded|failed|deleted|awaiting)/(delete|requeue|enqueue)$")]
    private static partial Regex JobsBatchCommand();

    [GeneratedRegex("^/recurring/(remove|trigger)$")]
    private static partial Regex RecurringBatchCommand();
}
