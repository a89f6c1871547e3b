using Hangfire.Dashboard;
using HangfireApp.Auth;

namespace HangfireApp.Dashboard;

/// <summary>
/// Hangfire's own check behind the endpoint's login policy: only a signed-in dashboard user with a role gets in.
/// The policy already redirected anonymous browsers to the login page; this filter keeps the dashboard closed
/// should it ever be mapped without that policy.
/// </summary>
internal sealed class DashboardRoleFilter : IDashboardAsyncAuthorizationFilter
{
    public Task<bool> AuthorizeAsync(DashboardContext context)
    {
        var http = context.GetHttpContext();
        return Task.FromResult(DashboardAccess.UserName(http) is not null && Roles.All.Any(http.User.IsInRole));
    }
}
