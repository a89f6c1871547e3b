namespace HangfireApp.Auth;

/// <summary>The <c>Auth</c> section: API keys (stored as SHA-256 hashes) and a bootstrap admin key.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public List<ApiKeySettings> ApiKeys { get; set; } = [];

    /// <summary>A plain-text admin key for a first start and for tests; leave empty in production.</summary>
    public string? BootstrapAdminKey { get; set; }

    /// <summary>Dashboard users: <c>Auth:Users</c>, each with a password hash made by <c>-- hash-password</c>.</summary>
    public List<DashboardUserSettings> Users { get; set; } = [];

    /// <summary>The login cookie and the throttling of failed logins: <c>Auth:Login</c>.</summary>
    public LoginSettings Login { get; set; } = new();
}

public sealed class DashboardUserSettings
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = "";

    /// <summary>ASP.NET Core's <c>PasswordHasher</c> format (PBKDF2, base64); never the password itself.</summary>
    public string PasswordHash { get; set; } = "";
}

public sealed class LoginSettings
{
    /// <summary>How long a login lasts without use (sliding): <c>Auth:Login:CookieLifetime</c>.</summary>
    public TimeSpan CookieLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>
    /// Failures of one user name from one client address within <see cref="Window"/> before that pair is locked; the
    /// user name's failures from all addresses beyond this only slow its sign-ins down (<see cref="UserDelay"/>).
    /// </summary>
    public int MaxFailuresPerUser { get; set; } = 5;

    /// <summary>Failures from one client address within <see cref="Window"/> before it is locked (it may try many names).</summary>
    public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>Failures older than this are forgotten.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The first lockout; each further failure while over the limit doubles it, up to <see cref="MaxLockout"/>.</summary>
    public TimeSpan Lockout { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaxLockout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// The wait before a sign-in of a user name that failed more than <see cref="MaxFailuresPerUser"/> times (from any
    /// addresses); doubling with each further failure up to <see cref="MaxUserDelay"/>. Never a refusal: the real user
    /// gets in, a guesser spread over many addresses gets slower.
    /// </summary>
    public TimeSpan UserDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxUserDelay { get; set; } = TimeSpan.FromSeconds(8);
}

public sealed class ApiKeySettings
{
    public string Name { get; set; } = "";

    public string Role { get; set; } = Roles.Viewer;

    /// <summary>Hex SHA-256 of the key: <c>printf %s "$KEY" | sha256sum</c>.</summary>
    public string Sha256 { get; set; } = "";
}

/// <summary>Roles, each including the rights of the ones before it: viewer &lt; operator &lt; admin.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Operator = "operator";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Viewer, Operator, Admin];

    /// <summary>The roles that include <paramref name="role"/>.</summary>
    public static string[] AtLeast(string role) => [.. All.SkipWhile(r => r != role)];
}
