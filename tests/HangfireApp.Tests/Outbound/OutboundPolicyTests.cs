using System.Net;
using HangfireApp.Batches.Outbound;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Outbound;

/// <summary>
/// Issue 9 point 3: the one outbound policy every client of a user-given URL goes through (rows, webhooks, the
/// packages scanner, scrape). Refused targets never get a connection; the loopback stand-in is allowed by name.
/// </summary>
public sealed class OutboundPolicyTests
{
    [Theory]
    [InlineData("http://127.0.0.1:9/", "loopback")]
    [InlineData("http://127.8.9.10:9/", "loopback")]
    [InlineData("http://[::1]:9/", "loopback")]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")] // cloud metadata
    [InlineData("http://0.0.0.0:9/", "this network")]
    [InlineData("http://10.1.2.3:9/", "private")]
    [InlineData("http://172.16.0.1:9/", "private")]
    [InlineData("http://192.168.0.1:9/", "private")]
    [InlineData("http://100.64.0.1:9/", "carrier-grade NAT")]
    [InlineData("http://224.0.0.1:9/", "multicast")]
    [InlineData("http://255.255.255.255:9/", "broadcast")]
    [InlineData("http://[::ffff:127.0.0.1]:9/", "IPv4-mapped loopback")]
    [InlineData("http://[::ffff:169.254.169.254]:9/", "IPv4-mapped link-local")]
    [InlineData("http://[fe80::1]:9/", "link-local")]
    [InlineData("http://[fc00::1]:9/", "unique local")]
    [InlineData("http://[ff02::1]:9/", "multicast")]
    [InlineData("http://[64:ff9b::a9fe:a9fe]:9/", "IPv6-embedded link-local")] // NAT64 of 169.254.169.254
    [InlineData("http://localhost:9/", "loopback")] // a name that resolves to loopback
    public async Task Send_RefusesNonPublicTargets_AtConnect(string url, string why)
    {
        using var clients = new OutboundClients();

        var refused = await Should.ThrowAsync<HttpRequestException>(() => clients.Create().GetAsync(new Uri(url)));

        var reason = OutboundRefusedException.Find(refused).ShouldNotBeNull(refused.ToString());
        reason.Message.ShouldContain(why);
    }

    [Theory]
    [InlineData("http://user:secret@example.com/", "credentials")]
    [InlineData("http://user@example.com/", "credentials")]
    [InlineData("ftp://example.com/file", "http or https")]
    [InlineData("file:///etc/passwd", "http or https")]
    public async Task Send_RefusesUrlsTheRuleForbids_BeforeAnyLookup(string url, string why)
    {
        using var clients = new OutboundClients();

        var refused = await Should.ThrowAsync<OutboundRefusedException>(() => clients.Create().GetAsync(new Uri(url)));

        refused.Message.ShouldContain(why);
        OutboundRequest.WhyRefused(new Uri(url)).ShouldNotBeNull();
    }

    [Theory]
    [InlineData("127.0.0.2")] // loopback, outside the allowed 127.0.0.1
    [InlineData("[::1]")]
    [InlineData("169.254.169.254")]
    public async Task Redirect_IntoARefusedAddress_IsRefused_AtThatHop(string host)
    {
        await using var inside = await LoopbackServer.StartAsync((context, _) => context.Response.WriteAsync("internal"));
        var target = new UriBuilder(inside.BaseAddress) { Host = host.Trim('[', ']'), Path = "/admin" }.Uri;
        await using var site = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.Redirect(target.ToString());
            return Task.CompletedTask;
        });
        using var clients = new OutboundClients(options => options.AllowedNetworks = ["127.0.0.1"]);

        var refused = await Should.ThrowAsync<HttpRequestException>(() => clients.Create().GetAsync(new Uri(site.BaseAddress, "/go")));

        OutboundRefusedException.Find(refused).ShouldNotBeNull(refused.ToString());
        site.Requests.Count.ShouldBe(1);
        inside.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Redirect_ToACredentialUrl_IsRefused_AndRedirectLoopsEnd()
    {
        await using var site = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.Redirect(context.Request.Path == "/creds" ? "http://user:pw@127.0.0.1/x" : "/loop");
            return Task.CompletedTask;
        });
        using var clients = new OutboundClients(options =>
        {
            options.AllowedNetworks = ["127.0.0.1"];
            options.MaxRedirects = 3;
        });

        (await Should.ThrowAsync<OutboundRefusedException>(() => clients.Create().GetAsync(new Uri(site.BaseAddress, "/creds")))).Message.ShouldContain("credentials");
        (await Should.ThrowAsync<OutboundRefusedException>(() => clients.Create().GetAsync(new Uri(site.BaseAddress, "/loop")))).Message.ShouldContain("More than 3 redirects");
    }

    [Fact]
    public async Task AllowedNetworks_AndAllowPrivateNetworks_LetTheNamedTargetsThrough()
    {
        await using var site = await LoopbackServer.StartAsync((context, _) => context.Response.WriteAsync("ok"));
        using var allowList = new OutboundClients(settings: new Dictionary<string, string?> { ["Test:AllowedNetworks:0"] = "127.0.0.0/8" });
        using var allowAll = new OutboundClients(settings: new Dictionary<string, string?> { ["Test:AllowPrivateNetworks"] = "true" });

        (await allowList.Create().GetStringAsync(site.BaseAddress)).ShouldBe("ok");
        (await allowAll.Create().GetStringAsync(site.BaseAddress)).ShouldBe("ok");
    }

    [Fact]
    public async Task Retries_5xxAndHonoursRetryAfter_ButNotBeyondMaxRetryAfter_NorA4xx()
    {
        var calls = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        await using var api = await LoopbackServer.StartAsync((context, _) =>
        {
            var call = calls.AddOrUpdate(context.Request.Path.Value!, 1, (_, n) => n + 1);
            (context.Response.StatusCode, var retryAfter) = context.Request.Path.Value switch
            {
                "/flaky" => (call == 1 ? 503 : 200, null),
                "/slow-down" => (call == 1 ? 429 : 200, "0"),
                "/go-away" => (429, "3600"),
                _ => (404, (string?)null),
            };
            if (retryAfter is not null)
            {
                context.Response.Headers.RetryAfter = retryAfter;
            }
            return Task.CompletedTask;
        });
        var waits = new List<TimeSpan>();
        using var clients = new OutboundClients(options =>
        {
            options.AllowedNetworks = ["127.0.0.1"];
            options.MaxAttempts = 3;
            options.BackoffBase = TimeSpan.FromMilliseconds(10);
            options.MaxRetryAfter = TimeSpan.FromSeconds(30);
        });
        var client = clients.Create();

        (await client.GetAsync(new Uri(api.BaseAddress, "/flaky"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var slowDown = new HttpRequestMessage(HttpMethod.Get, new Uri(api.BaseAddress, "/slow-down"));
        slowDown.Options.Set(OutboundRequest.OnRetryAfter, (wait, _) => { waits.Add(wait); return ValueTask.CompletedTask; });
        (await client.SendAsync(slowDown)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync(new Uri(api.BaseAddress, "/go-away"))).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        (await client.GetAsync(new Uri(api.BaseAddress, "/missing"))).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        api.Requests.Count(r => r.Path == "/flaky").ShouldBe(2);
        api.Requests.Count(r => r.Path == "/slow-down").ShouldBe(2);
        waits.ShouldBe([TimeSpan.Zero]);
        api.Requests.Count(r => r.Path == "/go-away").ShouldBe(1);
        api.Requests.Count(r => r.Path == "/missing").ShouldBe(1);
    }

    [Fact]
    public async Task Refusals_AreNeverRetried()
    {
        var attempts = 0;
        using var clients = new OutboundClients(options => options.MaxAttempts = 5);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.1:9/");
        request.Options.Set(OutboundRequest.BeforeAttempt, _ =>
        {
            attempts++;
            return ValueTask.CompletedTask;
        });

        await Should.ThrowAsync<HttpRequestException>(() => clients.Create().SendAsync(request));

        attempts.ShouldBe(1);
    }
}
