using HangfireApp.Batches.Modules;
using HangfireApp.Dashboard.Login;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace HangfireApp.Auth;

public static class AuthSetup
{
    public const string ViewerPolicy = ApiPolicies.Viewer;
    public const string OperatorPolicy = ApiPolicies.Operator;
    public const string AdminPolicy = ApiPolicies.Admin;

    /// <summary>The dashboard's policy: a signed-in dashboard user (cookie) of any role; anonymous users go to the login page.</summary>
    public const string DashboardPolicy = "dashboard";

    /// <summary>The dashboard's login cookie scheme.</summary>
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>
    /// API key authentication for <c>/api</c>, cookie login for the dashboard, and one policy per role (each role
    /// includes the ones below it).
    /// </summary>
    public static WebApplicationBuilder AddApiAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        builder.Services.AddSingleton<DashboardUsers>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = ".HangfireApp.Antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddCookie(CookieScheme);
        builder.Services.AddOptions<CookieAuthenticationOptions>(CookieScheme).Configure<IOptions<AuthOptions>, DashboardUsers>((cookie, auth, users) =>
        {
            cookie.Cookie.Name = ".HangfireApp.Auth";
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            // Secure whenever the request was HTTPS, which behind a proxy the forwarded headers tell.
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.LoginPath = LoginEndpoints.LoginPath;
            cookie.LogoutPath = LoginEndpoints.LogoutPath;
            cookie.AccessDeniedPath = LoginEndpoints.LoginPath;
            cookie.ExpireTimeSpan = auth.Value.Login.CookieLifetime;
            cookie.SlidingExpiration = true;
            cookie.Events.OnValidatePrincipal = context =>
            {
                switch (users.Current(context.Principal!))
                {
                    case null:
                        context.RejectPrincipal();
                        break;
                    case var current when !ReferenceEquals(current, context.Principal):
                        context.ReplacePrincipal(current);
                        context.ShouldRenew = true;
                        break;
                }
                return Task.CompletedTask;
            };
        });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ViewerPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Viewer)))
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Operator)))
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Admin)))
            .AddPolicy(DashboardPolicy, policy => policy.AddAuthenticationSchemes(CookieScheme).RequireRole(Roles.AtLeast(Roles.Viewer)));
        return builder;
    }

    public static WebApplication UseApiAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }
}
