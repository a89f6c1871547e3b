using Hangfire.Dashboard;
using HangfireApp.Auth;

namespace HangfireApp.Dashboard.Batches;

/// <summary>
/// Who may act on batches from the dashboard, and where an action is recorded. Kept in one place so that the
/// dashboard login (cookie users and roles) and the audit log can be plugged in here without touching the pages.
/// </summary>
internal static partial class BatchesDashboardAccess
{
    /// <summary>
    /// Actions need a dashboard that is not read-only (viewers get Hangfire's read-only mode) and a user who may
    /// operate: an authenticated user must hold the operator or admin role; an anonymous one is only let in by
    /// the dashboard's own authorization (loopback requests) and acts as the local operator.
    /// </summary>
    public static bool CanOperate(DashboardContext context) => !context.IsReadOnly && UserMayOperate(context.GetHttpContext());

    private static bool UserMayOperate(HttpContext http) =>
        http.User.Identity?.IsAuthenticated != true || Roles.AtLeast(Roles.Operator).Any(http.User.IsInRole);

    /// <summary>Records an operator action on a batch (who, what, which batch). Today a log event; the audit log goes here.</summary>
    public static void RecordAction(HttpContext http, string action, long batchId, string? detail)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("HangfireApp.Dashboard.Batches");
        var user = http.User.Identity?.IsAuthenticated == true ? http.User.Identity.Name ?? "(unnamed)" : $"anonymous@{http.Connection.RemoteIpAddress}";
        LogAction(logger, action, batchId, detail ?? "", user);
    }

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Dashboard action {Action} on batch {BatchId} {Detail} by {User}")]
    private static partial void LogAction(ILogger logger, string action, long batchId, string detail, string user);
}
