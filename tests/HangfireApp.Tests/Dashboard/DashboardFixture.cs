using System.Net;
using System.Text.RegularExpressions;
using HangfireApp.Tests.Auth;
using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.Tests.Dashboard;

/// <summary>
/// The engine host of <see cref="EngineFixture"/> (bench worker type, small chunks, fast retries) on Kestrel at
/// 127.0.0.1 with the dashboard users of <see cref="DashboardTestUsers"/>: otto operates, vera only views.
/// </summary>
public sealed partial class DashboardFixture : IAsyncLifetime
{
    public const string Operator = "otto";
    public const string Viewer = "vera";

    private TestDatabase? _database;

    public AppFactory App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var settings = EngineFixture.EngineSettings();
        foreach (var (key, value) in DashboardTestUsers.Settings())
        {
            settings[key] = value;
        }
        App = new AppFactory(_database, settings);
        BaseAddress = DashboardTestUsers.StartOnKestrel(App);
        Api = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        Api.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
        Db = _database.CreateDataSource();
        await Eventually.Until(
            () => Api.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the host to become ready");
    }

    /// <summary>A browser-like client signed in to the dashboard as <paramref name="user"/>.</summary>
    public async Task<LoginClient> SignInAsync(string user = Operator)
    {
        var client = new LoginClient(BaseAddress);
        using var login = await client.LoginAsync(user, DashboardTestUsers.Password);
        login.StatusCode.ShouldBe(HttpStatusCode.Redirect, await login.Content.ReadAsStringAsync());
        return client;
    }

    /// <summary>GETs a dashboard page and returns its HTML and the antiforgery header and token it carries.</summary>
    public static async Task<DashboardPage> GetPageAsync(LoginClient browser, string path)
    {
        using var response = await browser.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var header = CsrfHeader().Match(html);
        var token = CsrfToken().Match(html);
        return new DashboardPage(html, header.Success ? header.Groups[1].Value : null, token.Success ? WebUtility.HtmlDecode(token.Groups[1].Value) : null);
    }

    /// <summary>POSTs a dashboard action as the page's script does: form-encoded, with the antiforgery header when given.</summary>
    public static async Task<HttpResponseMessage> PostActionAsync(LoginClient browser, string path, DashboardPage? page, string? scope = null)
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
        await App.DisposeAsync();
        await Db.DisposeAsync();
        await _database!.DisposeAsync();
    }

    [GeneratedRegex("<meta name=\"csrf-header\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("<meta name=\"csrf-token\" content=\"([^\"]+)\">")]
    private static partial Regex CsrfToken();
}

public sealed record DashboardPage(string Html, string? CsrfHeader, string? CsrfToken);

[CollectionDefinition(Name)]
public sealed class DashboardTests : ICollectionFixture<DashboardFixture>
{
    public const string Name = "dashboard";
}
