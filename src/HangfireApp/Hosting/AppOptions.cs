using Microsoft.Extensions.Options;

namespace HangfireApp.Hosting;

/// <summary>Settings of the <c>App</c> section.</summary>
public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary><c>all</c> (default): API, dashboard and job servers; <c>web</c>: API and dashboard only;
    /// <c>worker</c>: job servers only. The same build runs as several processes against one database.</summary>
    public string Role { get; set; } = AppRoles.All;

    public bool RunsJobServers => Role is AppRoles.All or AppRoles.Worker;

    public bool ServesHttpApi => Role is AppRoles.All or AppRoles.Web;
}

public static class AppRoles
{
    public const string All = "all";
    public const string Web = "web";
    public const string Worker = "worker";

    public static readonly IReadOnlyList<string> Known = [All, Web, Worker];
}

internal sealed class AppOptionsValidator : IValidateOptions<AppOptions>
{
    public ValidateOptionsResult Validate(string? name, AppOptions options) =>
        AppRoles.Known.Contains(options.Role)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"App:Role must be one of {string.Join(", ", AppRoles.Known)} (it is '{options.Role}').");
}
