namespace HangfireApp.Batches.Modules;

/// <summary>
/// The authorisation policies a module's endpoints may require. The host defines them (API key roles, each
/// including the ones below it); modules only name them.
/// </summary>
public static class ApiPolicies
{
    /// <summary>Read-only API calls.</summary>
    public const string Viewer = "viewer";

    /// <summary>Calls that submit, cancel or rerun work.</summary>
    public const string Operator = "operator";

    /// <summary>Calls that change the system's settings or read its audit log.</summary>
    public const string Admin = "admin";
}
