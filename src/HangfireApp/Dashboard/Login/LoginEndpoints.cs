using System.Globalization;
using HangfireApp.Auth;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Logging;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;

namespace HangfireApp.Dashboard.Login;

/// <summary>
/// <c>GET/POST /account/login</c> and <c>GET/POST /account/logout</c>: the dashboard's cookie login. Forms carry an
/// antiforgery token; failed logins are throttled (<see cref="LoginThrottle"/>) and audited. Passwords are never
/// logged nor echoed back.
/// </summary>
public static partial class LoginEndpoints
{
    public const string LoginPath = "/account/login";
    public const string LogoutPath = "/account/logout";
    private const string DefaultReturnPath = "/hangfire";
    private const int MaxUserNameLength = 200;

    public static WebApplication MapDashboardLogin(this WebApplication app)
    {
        var account = app.MapGroup("/account").ExcludeFromDescription();
        account.MapGet("/login", ShowLogin);
        account.MapPost("/login", LoginAsync);
        // The cookie scheme is not the default one (the API's key scheme is): the policy makes it authenticate here.
        account.MapGet("/logout", ShowLogout).RequireAuthorization(AuthSetup.DashboardPolicy);
        account.MapPost("/logout", LogoutAsync).RequireAuthorization(AuthSetup.DashboardPolicy);
        return app;
    }

    private static IResult ShowLogin(HttpContext context, IAntiforgery antiforgery, string? returnUrl) =>
        LoginForm(context, antiforgery, StatusCodes.Status200OK, LocalReturnUrl(context, returnUrl), "", error: null, info: null);

    private static async Task<IResult> LoginAsync(
        HttpContext context, IAntiforgery antiforgery, DashboardUsers users, LoginThrottle throttle, AuditLog audit,
        ILogger<LoginThrottle> logger, CancellationToken cancellationToken)
    {
        if (!context.Request.HasFormContentType)
        {
            return LoginForm(context, antiforgery, StatusCodes.Status400BadRequest, LocalReturnUrl(context, null), "", "Send the sign-in form.", null);
        }
        var form = await context.Request.ReadFormAsync(cancellationToken);
        var returnUrl = LocalReturnUrl(context, form["returnUrl"]);
        var userName = form["username"].ToString().Trim();
        var password = form["password"].ToString();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return LoginForm(context, antiforgery, StatusCodes.Status400BadRequest, returnUrl, userName,
                "The form expired or did not come from this site; please sign in again.", null);
        }
        if (userName.Length == 0 || userName.Length > MaxUserNameLength)
        {
            return LoginForm(context, antiforgery, StatusCodes.Status400BadRequest, returnUrl, "",
                $"Enter a user name (username, at most {MaxUserNameLength} characters).", null);
        }
        if (password.Length == 0)
        {
            return LoginForm(context, antiforgery, StatusCodes.Status400BadRequest, returnUrl, userName, "Enter a password (password).", null);
        }
        var address = context.Connection.RemoteIpAddress;
        var addressText = address?.ToString();
        var gate = await throttle.CheckAsync(userName, address, cancellationToken);
        if (gate.RetryAfter > TimeSpan.Zero)
        {
            LogThrottled(logger, userName, addressText);
            return Throttled(context, antiforgery, returnUrl, userName, gate.RetryAfter);
        }
        if (gate.Slowdown > TimeSpan.Zero)
        {
            // The name is being guessed from elsewhere: this attempt waits (no thread held), it is not refused.
            LogSlowedDown(logger, userName, addressText, gate.Slowdown.TotalMilliseconds);
            await Task.Delay(gate.Slowdown, cancellationToken);
        }
        if (users.Verify(userName, password) is not { } principal)
        {
            var lockout = await throttle.RecordFailureAsync(userName, address, cancellationToken);
            await audit.RecordAsync(userName, AuditActions.LoginFailed, $"user:{userName}", new { address = addressText }, cancellationToken);
            LogFailed(logger, userName, addressText);
            return lockout > TimeSpan.Zero
                ? Throttled(context, antiforgery, returnUrl, userName, lockout)
                : LoginForm(context, antiforgery, StatusCodes.Status401Unauthorized, returnUrl, userName, "Wrong user name or password.", null);
        }
        await throttle.RecordSuccessAsync(userName, address, cancellationToken);
        await context.SignInAsync(AuthSetup.CookieScheme, principal, new AuthenticationProperties { IsPersistent = false });
        var name = principal.Identity!.Name!;
        await audit.RecordAsync(name, AuditActions.Login, $"user:{name}", new { address = addressText }, cancellationToken);
        LogSignedIn(logger, name, addressText);
        // A new antiforgery token goes with the new identity: the next page issues it.
        return Results.Redirect(returnUrl);
    }

    private static IResult ShowLogout(HttpContext context, IAntiforgery antiforgery)
    {
        if (context.User.Identity?.IsAuthenticated != true)
        {
            return Results.Redirect(context.Request.PathBase + LoginPath);
        }
        var tokens = antiforgery.GetAndStoreTokens(context);
        return Results.Content(LoginPage.Logout(context.Request.PathBase + LogoutPath, context.User.Identity.Name ?? "", tokens.FormFieldName, tokens.RequestToken!),
            "text/html; charset=utf-8");
    }

    private static async Task<IResult> LogoutAsync(HttpContext context, IAntiforgery antiforgery, AuditLog audit, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The sign-out form expired or did not come from this site.");
        }
        if (context.User.Identity is { IsAuthenticated: true, Name: { } name })
        {
            await context.SignOutAsync(AuthSetup.CookieScheme);
            await audit.RecordAsync(name, AuditActions.Logout, $"user:{name}", null, cancellationToken);
        }
        return Results.Redirect(context.Request.PathBase + LoginPath);
    }

    private static IResult Throttled(HttpContext context, IAntiforgery antiforgery, string returnUrl, string userName, TimeSpan wait)
    {
        var seconds = (int)Math.Ceiling(wait.TotalSeconds);
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        return LoginForm(context, antiforgery, StatusCodes.Status429TooManyRequests, returnUrl, userName,
            $"Too many failed sign-ins. Try again in {seconds} s.", null);
    }

    private static IResult LoginForm(HttpContext context, IAntiforgery antiforgery, int status, string returnUrl, string userName, string? error, string? info)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var html = LoginPage.Login(context.Request.PathBase + LoginPath, returnUrl, userName, error, info, tokens.FormFieldName, tokens.RequestToken!);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>
    /// Where to go after signing in: only a path on this site (an open redirect to another site would make the
    /// login page a phishing tool). The cookie handler's return URLs already carry the path base.
    /// </summary>
    private static string LocalReturnUrl(HttpContext context, string? returnUrl)
    {
        var isLocal = !string.IsNullOrEmpty(returnUrl) && returnUrl[0] == '/'
            && (returnUrl.Length == 1 || (returnUrl[1] != '/' && returnUrl[1] != '\\'))
            && !returnUrl.Contains("://", StringComparison.Ordinal);
        return isLocal ? returnUrl! : context.Request.PathBase + DefaultReturnPath;
    }

    [LoggerMessage(EventId = LogEventIds.LoginEndpointsSignedIn, Level = LogLevel.Information, Message = "Dashboard user {UserName} signed in from {Address}")]
    private static partial void LogSignedIn(ILogger logger, string userName, string? address);

    [LoggerMessage(EventId = LogEventIds.LoginEndpointsFailed, Level = LogLevel.Warning, Message = "Failed dashboard sign-in for {UserName} from {Address}")]
    private static partial void LogFailed(ILogger logger, string userName, string? address);

    [LoggerMessage(EventId = LogEventIds.LoginEndpointsThrottled, Level = LogLevel.Warning, Message = "Throttled dashboard sign-in for {UserName} from {Address}")]
    private static partial void LogThrottled(ILogger logger, string userName, string? address);

    [LoggerMessage(EventId = LogEventIds.LoginEndpointsSlowedDown, Level = LogLevel.Warning, Message = "Dashboard sign-in for {UserName} from {Address} slowed down by {DelayMs} ms: the name failed too often")]
    private static partial void LogSlowedDown(ILogger logger, string userName, string? address, double delayMs);
}
