using Microsoft.Extensions.Options;

namespace HangfireApp.Hosting;

/// <summary>Settings of the <c>App</c> section.</summary>
public sealed class AppOptions
{
    public const string Section = "App";

    /// <summary><c>all</c> (default): API, dashboard and job servers; <c>web</c>: API and dashboard only;
    /// <c>worker</c>: job servers only. The same build runs as several processes against one database.</summary>
    public string Role { get; set; } = AppRoles.All;

    /// <summary><c>App:PathBase</c>: the path the app is served under behind a reverse proxy, e.g. <c>/jobs</c>; empty for none.</summary>
    public string PathBase { get; set; } = "";

    /// <summary><c>App:ForwardedHeaders</c>: trust <c>X-Forwarded-For</c>/<c>-Proto</c> from these proxies.</summary>
    public ForwardedHeadersSettings ForwardedHeaders { get; set; } = new();

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

/// <summary>Which proxies may tell the client's address and scheme (a header from anyone else is ignored).</summary>
public sealed class ForwardedHeadersSettings
{
    /// <summary>Read <c>X-Forwarded-For</c> and <c>X-Forwarded-Proto</c> at all (default false).</summary>
    public bool Enabled { get; set; }

    /// <summary>Also read <c>X-Forwarded-Host</c> (only when the proxy sets it itself).</summary>
    public bool ForwardHost { get; set; }

    /// <summary>Proxy addresses, e.g. <c>10.0.0.5</c>; loopback is always trusted.</summary>
    public List<string> KnownProxies { get; set; } = [];

    /// <summary>Proxy networks in CIDR notation, e.g. <c>10.0.0.0/8</c>.</summary>
    public List<string> KnownNetworks { get; set; } = [];

    /// <summary>How many proxies in a row to unwrap (default 1).</summary>
    public int ForwardLimit { get; set; } = 1;
}

internal sealed class AppOptionsValidator : IValidateOptions<AppOptions>
{
    public ValidateOptionsResult Validate(string? name, AppOptions options)
    {
        var errors = new List<string>();
        if (!AppRoles.Known.Contains(options.Role))
        {
            errors.Add($"App:Role must be one of {string.Join(", ", AppRoles.Known)} (it is '{options.Role}').");
        }
        if (options.PathBase.Length > 0 && (options.PathBase[0] != '/' || options.PathBase.EndsWith('/') || options.PathBase.Contains('?', StringComparison.Ordinal)))
        {
            errors.Add($"App:PathBase must start with '/' and not end with one, e.g. /jobs (it is '{options.PathBase}').");
        }
        var forwarded = options.ForwardedHeaders;
        for (var i = 0; i < forwarded.KnownProxies.Count; i++)
        {
            if (!System.Net.IPAddress.TryParse(forwarded.KnownProxies[i], out _))
            {
                errors.Add($"App:ForwardedHeaders:KnownProxies:{i} is not an IP address (it is '{forwarded.KnownProxies[i]}').");
            }
        }
        for (var i = 0; i < forwarded.KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(forwarded.KnownNetworks[i], out _))
            {
                errors.Add($"App:ForwardedHeaders:KnownNetworks:{i} is not a CIDR network such as 10.0.0.0/8 (it is '{forwarded.KnownNetworks[i]}').");
            }
        }
        if (forwarded.ForwardLimit < 1)
        {
            errors.Add("App:ForwardedHeaders:ForwardLimit must be at least 1.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
