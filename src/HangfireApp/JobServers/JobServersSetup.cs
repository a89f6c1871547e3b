using Hangfire;
using HangfireApp.Auth;
using HangfireApp.Hosting;
using Microsoft.Extensions.Options;

namespace HangfireApp.JobServers;

public static class JobServersSetup
{
    /// <summary>
    /// The job servers of <c>Hangfire:Servers</c>, unless the role is <c>web</c>. Hangfire itself (storage, filters) is
    /// the engine's (<c>AddBatchEngine</c>).
    /// </summary>
    public static WebApplicationBuilder AddJobServers(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HangfireOptions>().BindConfiguration(HangfireOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HangfireOptions>, HangfireOptionsValidator>();
        services.AddSingleton<ServerPlan>();
        services.AddSingleton<ServerControls>();
        if (builder.ReadAppOptions().RunsJobServers)
        {
            services.AddSingleton<JobServersHostedService>();
            services.AddHostedService(sp => sp.GetRequiredService<JobServersHostedService>());
        }
        return builder;
    }

    /// <summary><c>GET /api/servers</c>; the dashboard is mapped by <c>MapDashboard</c> (behind the login).</summary>
    public static WebApplication MapJobServers(this WebApplication app)
    {
        app.MapGet("/api/servers", (JobStorage storage) => TypedResults.Ok(
            storage.GetMonitoringApi().Servers()
                .Select(server => new ServerView(server.Name, server.Queues, server.WorkersCount, server.StartedAt, server.Heartbeat))
                .OrderBy(server => server.Name, StringComparer.Ordinal)
                .ToList()))
            .WithTags("Servers")
            // Host names, process ids and queues are for operators' eyes, not for anyone who can reach the port.
            .RequireAuthorization(AuthSetup.ViewerPolicy);
        return app;
    }
}

/// <summary>A Hangfire server as <c>GET /api/servers</c> shows it.</summary>
public sealed record ServerView(string Name, IList<string> Queues, int WorkerCount, DateTime StartedAt, DateTime? Heartbeat);
