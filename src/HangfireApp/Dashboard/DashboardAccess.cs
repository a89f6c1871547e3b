using Hangfire.Dashboard;
using HangfireApp.Auth;

namespace HangfireApp.Dashboard;

/// <summary>
/// What the signed-in dashboard user may do. Dashboard pages and commands ask here rather than reading claims:
/// <c>viewer</c> reads; <c>operator</c> and <c>admin</c> may act (requeue, delete, cancel, rerun); <c>admin</c> also
/// sees the audit log.
/// </summary>
public static class DashboardAccess
{
    /// <summary>The dashboard user's name, or null when nobody is signed in.</summary>
    public static string? UserName(HttpContext context) =>
        IsDashboardUser(context) ? context.User.Identity!.Name : null;

    /// <summary>Whether the dashboard user may act (operator or admin). Viewers get Hangfire's read-only dashboard.</summary>
    public static bool CanOperate(HttpContext context) => HasAtLeast(context, Roles.Operator);

    /// <summary>Whether the dashboard user is an admin.</summary>
    public static bool IsAdmin(HttpContext context) => HasAtLeast(context, Roles.Admin);

    public static bool CanOperate(DashboardContext context) => CanOperate(context.GetHttpContext());

    public static bool IsAdmin(DashboardContext context) => IsAdmin(context.GetHttpContext());

    public static string? UserName(DashboardContext context) => UserName(context.GetHttpContext());

    private static bool HasAtLeast(HttpContext context, string role) =>
        IsDashboardUser(context) && Roles.AtLeast(role).Any(context.User.IsInRole);

    private static bool IsDashboardUser(HttpContext context) =>
        context.User.Identity is { IsAuthenticated: true, AuthenticationType: AuthSetup.CookieScheme };
}
