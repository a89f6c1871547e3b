using System.Net;
using System.Text.RegularExpressions;
using HangfireApp.Auth;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Tests.Auth;

/// <summary>Dashboard users of the auth tests, one per role.</summary>
public static class DashboardTestUsers
{
    public const string Password = "correct horse battery staple";

    public static readonly string[] Names = ["vera", "otto", "ada", "tess", "pat"];

    /// <summary>
    /// <c>Auth:Users</c> settings: vera (viewer), otto (operator), ada (admin), tess and pat (operators, only for the
    /// throttling tests, whose failures must not mix with others'), all with <see cref="Password"/>.
    /// </summary>
    public static Dictionary<string, string?> Settings()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string[] roles = [Roles.Viewer, Roles.Operator, Roles.Admin, Roles.Operator, Roles.Operator];
        for (var i = 0; i < Names.Length; i++)
        {
            settings[$"Auth:Users:{i}:Name"] = Names[i];
            settings[$"Auth:Users:{i}:Role"] = roles[i];
            settings[$"Auth:Users:{i}:PasswordHash"] = PasswordHashes.Hash(Password);
        }
        return settings;
    }

    /// <summary>Starts the factory's host on Kestrel at 127.0.0.1 (random port): real sockets, a real client address.</summary>
    public static Uri StartOnKestrel(AppFactory app)
    {
        app.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        app.StartServer();
        return new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First());
    }
}

/// <summary>
/// A browser-like HTTP client for the login pages: keeps cookies, does not follow redirects (tests look at them),
/// reads the antiforgery token from the form as a browser would submit it.
/// </summary>
public sealed partial class LoginClient : IDisposable
{
    private readonly HttpClient _http;

    public LoginClient(Uri baseAddress, CookieContainer? cookies = null)
    {
        Cookies = cookies ?? new CookieContainer();
        _http = new HttpClient(new HttpClientHandler { CookieContainer = Cookies, AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = baseAddress,
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public CookieContainer Cookies { get; }

    public HttpClient Http => _http;

    /// <summary>Sets <c>X-Forwarded-For</c> on every request (the host trusts loopback proxies when forwarded headers are on).</summary>
    public string? ForwardedFor { get; set; }

    public Task<HttpResponseMessage> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

    /// <summary>The page's HTML; fails unless it answers 200.</summary>
    public async Task<string> GetStringAsync(string path)
    {
        using var response = await GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        return html;
    }

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request)
    {
        if (ForwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", ForwardedFor);
        }
        return _http.SendAsync(request);
    }

    /// <summary>The antiforgery field name and token of the form on <paramref name="path"/>.</summary>
    public async Task<(string Field, string Token)> FormTokenAsync(string path = "/account/login")
    {
        using var response = await GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        var match = TokenField().Match(html);
        match.Success.ShouldBeTrue($"no antiforgery field in {path}");
        return (match.Groups["name"].Value, WebUtility.HtmlDecode(match.Groups["value"].Value));
    }

    /// <summary>Fetches the login form and posts it; the response is not followed.</summary>
    public async Task<HttpResponseMessage> LoginAsync(string userName, string password, string? returnUrl = null, string loginPath = "/account/login")
    {
        var (field, token) = await FormTokenAsync(loginPath);
        var form = new Dictionary<string, string> { [field] = token, ["username"] = userName, ["password"] = password };
        if (returnUrl is not null)
        {
            form["returnUrl"] = returnUrl;
        }
        return await SendAsync(new HttpRequestMessage(HttpMethod.Post, loginPath) { Content = new FormUrlEncodedContent(form) });
    }

    /// <summary>The dashboard's antiforgery header and token, from the meta tags Hangfire puts in its pages.</summary>
    public async Task<(string Header, string Token)> DashboardTokenAsync(string path = "/hangfire")
    {
        using var response = await GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, html);
        return (WebUtility.HtmlDecode(CsrfHeader().Match(html).Groups[1].Value), WebUtility.HtmlDecode(CsrfToken().Match(html).Groups[1].Value));
    }

    public void Dispose() => _http.Dispose();

    [GeneratedRegex("""<input type="hidden" name="(?<name>[^"]+)" value="(?<value>[^"]+)">""")]
    private static partial Regex TokenField();

    [GeneratedRegex("""<meta name="csrf-header" content="([^"]+)">""")]
    private static partial Regex CsrfHeader();

    [GeneratedRegex("""<meta name="csrf-token" content="([^"]+)">""")]
    private static partial Regex CsrfToken();
}
