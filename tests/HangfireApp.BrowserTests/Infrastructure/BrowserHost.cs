using System.Net;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HangfireApp.BrowserTests.Infrastructure;

/// <summary>
/// The real host on Kestrel at 127.0.0.1 (a random port), reachable by a browser, on its own fresh database.
/// It carries one dashboard user per role (<see cref="TestUsers"/>), the bench worker type and fast engine settings;
/// a test's own settings override them.
/// </summary>
public sealed class BrowserHost : IAsyncDisposable
{
    private readonly TestDatabase _database;

    private BrowserHost(TestDatabase database, AppFactory app, Uri baseAddress)
    {
        _database = database;
        App = app;
        BaseAddress = baseAddress;
        Db = database.CreateDataSource();
        Api = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
    }

    /// <summary>The host's own root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The factory, for the host's services (<c>App.Service&lt;T&gt;()</c>).</summary>
    public AppFactory App { get; }

    /// <summary>An API client with the bootstrap admin key, over the real socket.</summary>
    public HttpClient Api { get; }

    /// <summary>The host's database, to arrange or check rows directly.</summary>
    public NpgsqlDataSource Db { get; }

    /// <summary>Settings every browser host starts with: users for each role, bench worker type, small chunks, fast sweeps.</summary>
    public static Dictionary<string, string?> DefaultSettings()
    {
        var hasher = new PasswordHasher<string>();
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["App:Role"] = "all",
            ["WorkerTypes:bench:Enabled"] = "true",
            ["WorkerTypes:bench:ChunkSize"] = "10",
            ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "4",
            ["WorkerTypes:bench:Retry:Attempts"] = "2",
            ["WorkerTypes:bench:Retry:DelaysSeconds:0"] = "1",
            ["Chunks:HeartbeatInterval"] = "00:00:01",
            ["Chunks:FlushInterval"] = "00:00:00.200",
            ["Sweeps:Interval"] = "00:00:10",
            ["Hangfire:Servers:0:Name"] = "browser",
            ["Hangfire:Servers:0:Queues:0"] = "bench",
            ["Hangfire:Servers:0:Queues:1"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = "4",
        };
        var index = 0;
        foreach (var user in TestUsers.All)
        {
            settings[$"Auth:Users:{index}:Name"] = user.Name;
            settings[$"Auth:Users:{index}:Role"] = user.Role;
            settings[$"Auth:Users:{index}:PasswordHash"] = hasher.HashPassword(user.Name, user.Password);
            index++;
        }
        return settings;
    }

    /// <summary>Creates a database, starts the host on it and waits until <c>/health/ready</c> answers.</summary>
    public static async Task<BrowserHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var all = DefaultSettings();
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }
        var database = await TestDatabase.CreateAsync();
        var app = new AppFactory(database, all);
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        var host = new BrowserHost(database, app, new Uri(address + "/"));
        await Eventually.Until(
            async () =>
            {
                using var response = await host.Api.GetAsync(new Uri("health/ready", UriKind.Relative));
                return response.StatusCode;
            },
            status => status == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the browser host to become ready");
        return host;
    }

    /// <summary>An absolute address on this host for a path such as <c>/hangfire/jobs/failed</c>.</summary>
    public Uri Url(string path) => new(BaseAddress, path.TrimStart('/'));

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await Db.DisposeAsync();
        await _database.DisposeAsync();
    }
}

/// <summary>A dashboard user the browser host knows.</summary>
public sealed record TestUser(string Name, string Role, string Password);

/// <summary>One dashboard user per role; their password hashes are put into <c>Auth:Users</c> by <see cref="BrowserHost"/>.</summary>
public static class TestUsers
{
    public static readonly TestUser Viewer = new("vera-viewer", "viewer", "viewer-password-7c1");
    public static readonly TestUser Operator = new("otto-operator", "operator", "operator-password-3f9");
    public static readonly TestUser Admin = new("ada-admin", "admin", "admin-password-9e2");

    public static IReadOnlyList<TestUser> All { get; } = [Viewer, Operator, Admin];

    public static TestUser ForRole(string role) =>
        All.FirstOrDefault(user => user.Role == role) ?? throw new ArgumentException($"No test user has role '{role}'.", nameof(role));
}
