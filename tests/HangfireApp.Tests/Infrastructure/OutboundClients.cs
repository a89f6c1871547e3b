using HangfireApp.Batches.Outbound;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>An outbound client exactly as a module registers it, without a host: for tests of the policy itself.</summary>
public sealed class OutboundClients : IDisposable
{
    private readonly ServiceProvider _services;

    public OutboundClients(Action<OutboundClientOptions>? defaults = null, IDictionary<string, string?>? settings = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build());
        services.AddOutboundHttpClient("test", "Test", defaults);
        _services = services.BuildServiceProvider();
    }

    public HttpClient Create() => _services.GetRequiredService<IHttpClientFactory>().CreateClient("test");

    public void Dispose() => _services.Dispose();
}
