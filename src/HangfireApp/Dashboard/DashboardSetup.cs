using Hangfire;
using Hangfire.Dashboard;
using HangfireApp.Auth;
using HangfireApp.Dashboard.Audit;
using HangfireApp.Dashboard.Login;

namespace HangfireApp.Dashboard;

public static class DashboardSetup
{
    public const string DashboardPath = "/hangfire";

    /// <summary>
    /// The Hangfire dashboard at <c>/hangfire</c> behind the login: anonymous browsers are redirected to the login
    /// page by the endpoint's policy, viewers get Hangfire's read-only mode (no requeue/delete buttons, commands
    /// refused), operators and admins may act. Its POST commands need the antiforgery token Hangfire puts in its pages.
    /// </summary>
    public static WebApplication MapDashboard(this WebApplication app)
    {
        AddPagesAndNavigation();
        app.UseDashboardRequestRules();
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            DashboardTitle = "HangfireApp",
            // No "Back to site": the dashboard is the site; the navigation has "Sign out" instead.
            AppPath = null,
            DisplayStorageConnectionString = false,
            Authorization = [],
            AsyncAuthorization = [new DashboardRoleFilter()],
            IsReadOnlyFunc = context => !DashboardAccess.CanOperate(context),
            // Chunk jobs are listed as "Chunk 3 of batch 18", not by their chunk's database id.
            DisplayNameFunc = Operations.ChunkJobPage.DisplayName,
        }).RequireAuthorization(AuthSetup.DashboardPolicy);
        app.MapDashboardLogin();
        return app;
    }

    private static void AddPagesAndNavigation()
    {
        // Hangfire's routes and menu are process-wide lists; several hosts in one test process must not add duplicates.
        lock (NavigationMenu.Items)
        {
            if (NavigationMenu.Items.Contains(AuditMenuItem))
            {
                return;
            }
            DashboardRoutes.Routes.AddRazorPage(AuditPage.Route, _ => new AuditPage());
            NavigationMenu.Items.Add(AuditMenuItem);
            NavigationMenu.Items.Add(SignOutMenuItem);
        }
    }

    private static MenuItem? AuditMenuItem(RazorPage page) =>
        DashboardAccess.IsAdmin(page.Context)
            ? new MenuItem("Audit", page.Url.To(AuditPage.Route)) { Active = page.RequestPath.StartsWith(AuditPage.Route, StringComparison.OrdinalIgnoreCase) }
            : null;

    private static MenuItem? SignOutMenuItem(RazorPage page) =>
        DashboardAccess.UserName(page.Context) is { } name
            ? new MenuItem($"Sign out ({name})", AppPathBase(page.Context.GetHttpContext()) + LoginEndpoints.LogoutPath)
            : null;

    /// <summary>The application's path base (behind a proxy, e.g. <c>/jobs</c>) as seen from inside the dashboard branch.</summary>
    internal static string AppPathBase(HttpContext context)
    {
        var pathBase = context.Request.PathBase.Value ?? "";
        return pathBase.EndsWith(DashboardPath, StringComparison.OrdinalIgnoreCase) ? pathBase[..^DashboardPath.Length] : pathBase;
    }
}
