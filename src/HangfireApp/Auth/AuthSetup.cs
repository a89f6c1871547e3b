using Microsoft.AspNetCore.Authentication;

namespace HangfireApp.Auth;

public static class AuthSetup
{
    public const string ViewerPolicy = "viewer";
    public const string OperatorPolicy = "operator";
    public const string AdminPolicy = "admin";

    /// <summary>API key authentication and one policy per role (each role includes the ones below it).</summary>
    public static WebApplicationBuilder AddApiAuthentication(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.ApiKeys.All(key => Roles.All.Contains(key.Role)), "Auth:ApiKeys: every key's Role must be viewer, operator or admin.")
            .Validate(o => o.ApiKeys.All(key => key.Sha256.Length == 64), "Auth:ApiKeys: every key needs a 64-character hex Sha256.")
            .ValidateOnStart();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(ViewerPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Viewer)))
            .AddPolicy(OperatorPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Operator)))
            .AddPolicy(AdminPolicy, policy => policy.AddAuthenticationSchemes(ApiKeyAuthenticationHandler.SchemeName).RequireRole(Roles.AtLeast(Roles.Admin)));
        return builder;
    }

    public static WebApplication UseApiAuthentication(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        return app;
    }

}
