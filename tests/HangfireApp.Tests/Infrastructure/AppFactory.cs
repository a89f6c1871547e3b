using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>
/// The real host (<see cref="Program"/>) on its own fresh database. Settings go in through
/// <c>UseSetting</c>, which the host sees before it registers anything (the role, the servers).
/// </summary>
public sealed class AppFactory : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly Dictionary<string, string?> _settings;

    public AppFactory(TestDatabase database, IDictionary<string, string?>? settings = null)
    {
        Database = database;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Hangfire:HeartbeatInterval"] = "00:00:02",
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>An HTTP client for the API, authenticated with the given key (the bootstrap admin key by default).</summary>
    public HttpClient ApiClient(string? apiKey = AdminKey)
    {
        var client = CreateClient();
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
