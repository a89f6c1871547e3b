namespace HangfireApp.Auth;

/// <summary>The <c>Auth</c> section: API keys (stored as SHA-256 hashes) and a bootstrap admin key.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    public List<ApiKeySettings> ApiKeys { get; set; } = [];

    /// <summary>A plain-text admin key for a first start and for tests; leave empty in production.</summary>
    public string? BootstrapAdminKey { get; set; }
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
