using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>A real HTTP server on 127.0.0.1 (random port) whose answers a test scripts, recording every request.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackServer(WebApplication app) => _app = app;

    private const string BodyKey = "loopback-body";

    public ConcurrentQueue<(string Path, string Body)> Requests { get; } = new();

    /// <summary>The body of the request being answered (read before the test's answer runs).</summary>
    public static string BodyOf(HttpContext context) => (string)context.Items[BodyKey]!;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<LoopbackServer> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var server = new LoopbackServer(app);
        var count = 0;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            context.Items[BodyKey] = body;
            server.Requests.Enqueue((context.Request.Path, body));
            await respond(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        server.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
