using System.Net;
using System.Text.RegularExpressions;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace HangfireApp.Tests.Dashboard;

/// <summary>
/// The engine host of <see cref="EngineFixture"/> with its dashboard reachable from the in-memory test client
/// (requests arrive from the loopback address, as the dashboard's local-only authorization wants), and, on
/// demand, a second host on the same database whose dashboard is read-only.
/// </summary>
public sealed partial class DashboardFixture : IAsyncLifetime
{
    private TestDatabase? _database;
    private AppFactory? _engineApp;
    private AppFactory? _readOnlyApp;
    private WebApplicationFactory<Program>? _readOnly;

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _engineApp = new AppFactory(_database, EngineFixture.EngineSettings());
        App = FromLoopback(_engineApp);
        Api = App.CreateClient();
        Api.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
        Db = _database.CreateDataSource();
        await Eventually.Until(
            () => Api.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the host to become ready");
    }

    /// <summary>A browser-like client of the dashboard: keeps cookies (the antiforgery cookie among them).</summary>
    public HttpClient Browser(WebApplicationFactory<Program>? app = null) =>
        (app ?? App).CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = true, AllowAutoRedirect = false });

    /// <summary>A web-only host on the same database with <c>Dashboard:ReadOnly=true</c>, started on first use.</summary>
    public WebApplicationFactory<Program> ReadOnlyApp()
    {
        if (_readOnly is null)
        {
            var settings = EngineFixture.EngineSettings("web");
            settings["Dashboard:ReadOnly"] = "true";
            _readOnlyApp = new AppFactory(_database!, settings);
            _readOnly = FromLoopback(_readOnlyApp);
        }
        return _readOnly;
    }

    /// <summary>GETs a dashboard page and returns its HTML and the antiforgery header and token it carries.</summary>
    public static async Task<DashboardPage> GetPageAsync(HttpClient browser, string path)
    {
        using var response = await browser.GetAsync(new Uri(path, UriKind.Relative));
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var header = CsrfHeader().Match(html);
        var token = CsrfToken().Match(html);
        return new DashboardPage(html, header.Success ? header.Groups[1].Value : null, token.Success ? WebUtility.HtmlDecode(token.Groups[1].Value) : null);
    }

    /// <summary>POSTs a dashboard action as the page's script does: form-encoded, with the antiforgery header when given.</summary>
    public static async Task<HttpResponseMessage> PostActionAsync(HttpClient browser, string path, DashboardPage? page, string? scope = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(scope is null ? [] : [new KeyValuePair<string, string>("scope", scope)]),
        };
        if (page?.CsrfHeader is { } header && page.CsrfToken is { } token)
        {
            request.Headers.Add(header, token);
        }
        return await browser.SendAsync(request);
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        if (_readOnlyApp is not null)
        {
            await _readOnlyApp.DisposeAsync();
        }
        await _engineApp!.DisposeAsync();
        await Db.DisposeAsync();
        await _database!.DisposeAsync();
    }

    private static WebApplicationFactory<Program> FromLoopback(AppFactory app) =>
        app.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, LoopbackClient>()));

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfToken();

    /// <summary>The in-memory test server has no remote address; a real local browser comes from loopback.</summary>
    private sealed class LoopbackClient : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                context.Connection.RemoteIpAddress ??= IPAddress.Loopback;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

public sealed record DashboardPage(string Html, string? CsrfHeader, string? CsrfToken);

[CollectionDefinition(Name)]
public sealed class DashboardTests : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
