using Hangfire.Dashboard;

namespace HangfireApp.Dashboard.Batches;

/// <summary>Who may act on batches from the dashboard, and under which name the audit log records it.</summary>
internal static class BatchesDashboardAccess
{
    /// <summary>
    /// A signed-in operator or admin on a dashboard that is not read-only. Viewers get Hangfire's read-only mode
    /// already; the read-only flag is checked as well so that the batch actions obey it whatever sets it.
    /// </summary>
    public static bool CanOperate(DashboardContext context) => !context.IsReadOnly && DashboardAccess.CanOperate(context);

    /// <summary>The dashboard user an action is recorded for; <c>BatchControl</c> writes the audit entry in the action's transaction.</summary>
    public static string Actor(HttpContext http) =>
        DashboardAccess.UserName(http) ?? throw new InvalidOperationException("A batch action needs a signed-in dashboard user.");
}
