using Hangfire;
using HangfireApp.Batches.Database;
using HangfireApp.JobServers;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Health;

public static class HealthSetup
{
    private const string ReadyTag = "ready";

    public static WebApplicationBuilder AddHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks()
            .AddCheck<DatabaseReadyCheck>("database", tags: [ReadyTag])
            .AddCheck<JobServersReadyCheck>("job-servers", tags: [ReadyTag]);
        return builder;
    }

    /// <summary><c>/health/live</c>: the process answers. <c>/health/ready</c>: database reachable,
    /// migrations applied, and this process's job servers (if its role runs any) have a fresh heartbeat.</summary>
    public static WebApplication MapHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteReport,
        });
        return app;
    }

    private static Task WriteReport(HttpContext context, HealthReport report) =>
        context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(entry => entry.Key, entry => new
            {
                status = entry.Value.Status.ToString(),
                description = entry.Value.Description,
            }),
        });

    private sealed class DatabaseReadyCheck(NpgsqlDataSource dataSource, Migrator migrator) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using (var ping = dataSource.CreateCommand("select 1"))
                {
                    await ping.ExecuteScalarAsync(cancellationToken);
                }
                var pending = await migrator.PendingAsync(cancellationToken);
                return pending.Count == 0
                    ? HealthCheckResult.Healthy("reachable, migrations applied")
                    : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
            }
            catch (NpgsqlException e)
            {
                return HealthCheckResult.Unhealthy("database unreachable", e);
            }
        }
    }

    private sealed class JobServersReadyCheck(IServiceProvider services, JobStorage storage, IOptions<HangfireOptions> options) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var hosted = services.GetService<JobServersHostedService>();
            if (hosted is null)
            {
                return Task.FromResult(HealthCheckResult.Healthy("role runs no job servers"));
            }
            var freshSince = DateTime.UtcNow - 3 * options.Value.HeartbeatInterval;
            var known = storage.GetMonitoringApi().Servers();
            var stale = hosted.ServerIdPrefixes
                .Where(prefix => !known.Any(server => server.Name.StartsWith(prefix, StringComparison.Ordinal)
                    && (server.Heartbeat ?? server.StartedAt) >= freshSince))
                .ToList();
            return Task.FromResult(stale.Count == 0 && hosted.ServerIdPrefixes.Count > 0
                ? HealthCheckResult.Healthy($"{hosted.ServerIdPrefixes.Count} job server(s) with a fresh heartbeat")
                : HealthCheckResult.Unhealthy($"no fresh heartbeat from {(stale.Count > 0 ? string.Join(", ", stale) : "any job server")}"));
        }
    }
}
