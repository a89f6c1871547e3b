using Hangfire;
using Hangfire.PostgreSql;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.Logging;
using HangfireApp.Batches.Queues;
using HangfireApp.Hosting;
using Microsoft.Extensions.Options;

namespace HangfireApp.JobServers;

public static class JobServersSetup
{
    /// <summary>
    /// Hangfire on PostgreSQL with production defaults, and — unless the role is <c>web</c> — the job
    /// servers of <c>Hangfire:Servers</c>.
    /// </summary>
    public static WebApplicationBuilder AddJobServers(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<HangfireOptions>().BindConfiguration(HangfireOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<HangfireOptions>, HangfireOptionsValidator>();
        services.AddSingleton<ServerPlan>();
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<HangfireOptions>>().Value.Storage;
            return new PostgreSqlStorageOptions
            {
                SchemaName = storage.SchemaName,
                QueuePollInterval = storage.QueuePollInterval,
                EnableLongPolling = storage.EnableLongPolling,
                UseSlidingInvisibilityTimeout = storage.UseSlidingInvisibilityTimeout,
                InvisibilityTimeout = storage.InvisibilityTimeout,
                DistributedLockTimeout = storage.DistributedLockTimeout,
                PrepareSchemaIfNecessary = storage.PrepareSchemaIfNecessary,
            };
        });
        services.AddHangfire((sp, configuration) =>
        {
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            // Hangfire keeps filters in a process-wide list; replace ours rather than add a copy per host.
            GlobalJobFilters.Filters.Remove<JobLogScopeFilter>();
            GlobalJobFilters.Filters.Remove<ChunkRetryFilter>();
            GlobalJobFilters.Filters.Remove<QueuePreservingFilter>();
            configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new JobLogScopeFilter(sp.GetRequiredService<ILoggerFactory>()))
                .UseFilter(new ChunkRetryFilter())
                .UseFilter(new QueuePreservingFilter())
                .UsePostgreSqlStorage(connection => connection.UseNpgsqlConnection(connectionString), sp.GetRequiredService<PostgreSqlStorageOptions>());
        });
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
            .WithTags("Servers");
        return app;
    }
}

/// <summary>A Hangfire server as <c>GET /api/servers</c> shows it.</summary>
public sealed record ServerView(string Name, IList<string> Queues, int WorkerCount, DateTime StartedAt, DateTime? Heartbeat);
