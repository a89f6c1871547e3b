using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace HangfireApp.Hosting;

public static class ReverseProxySetup
{
    /// <summary>
    /// First in the pipeline: the client's address and scheme from trusted proxies' forwarded headers (so the login
    /// throttle sees the real client and cookies are Secure behind TLS termination), then <c>App:PathBase</c>, then
    /// routing — which must come after the path base for endpoints to match under it.
    /// </summary>
    public static WebApplication UseReverseProxy(this WebApplication app)
    {
        var settings = app.Services.GetRequiredService<IOptions<AppOptions>>().Value;
        var forwarded = settings.ForwardedHeaders;
        if (forwarded.Enabled)
        {
            var options = new ForwardedHeadersOptions
            {
                ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto
                    | (forwarded.ForwardHost ? ForwardedHeaders.XForwardedHost : ForwardedHeaders.None),
                ForwardLimit = forwarded.ForwardLimit,
            };
            foreach (var proxy in forwarded.KnownProxies)
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }
            foreach (var network in forwarded.KnownNetworks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
            app.UseForwardedHeaders(options);
        }
        if (settings.PathBase.Length > 0)
        {
            app.UsePathBase(settings.PathBase);
        }
        app.UseRouting();
        return app;
    }
}
