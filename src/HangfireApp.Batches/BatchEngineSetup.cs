using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Outputs;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Control;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.FaultInjection;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.Metrics;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.RateLimits;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.Sweeps;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches;

public static class BatchEngineSetup
{
    /// <summary>The batch engine: worker type registry, submit, chunk jobs, fan-in, control, queries, sweeps.</summary>
    public static IServiceCollection AddBatchEngine(this IServiceCollection services)
    {
        services.AddOptions<BatchLimitsOptions>().BindConfiguration(BatchLimitsOptions.Section).ValidateOnStart();
        services.AddOptions<ChunkOptions>().BindConfiguration(ChunkOptions.Section)
            .Validate(o => o.HeartbeatInterval > TimeSpan.Zero && o.FlushInterval > TimeSpan.Zero, "Chunks:HeartbeatInterval and Chunks:FlushInterval must be positive.")
            .ValidateOnStart();
        services.AddOptions<SweepOptions>().BindConfiguration(SweepOptions.Section)
            .Configure<IOptions<HangfireStorageOptions>>((o, storage) => o.HangfireSchema = storage.Value.SchemaName)
            .Validate(o => o.Validate() is null, "Sweeps:Interval must be 10, 12, 15, 20 or 30 seconds or whole minutes up to an hour.")
            .Validate(o => o.StallTimeout > TimeSpan.Zero, "Sweeps:StallTimeout must be positive.")
            .ValidateOnStart();

        services.AddOptions<ControlOptions>().BindConfiguration(ControlOptions.Section)
            .Validate(o => o.RefreshInterval > TimeSpan.Zero && o.PausedRecheck > TimeSpan.Zero && o.CappedRecheck > TimeSpan.Zero,
                "Control:RefreshInterval, Control:PausedRecheck and Control:CappedRecheck must be positive.")
            .ValidateOnStart();
        services.AddOptions<MetricsOptions>().BindConfiguration(MetricsOptions.Section)
            .Validate(o => o.CacheDuration >= TimeSpan.Zero && o.ServerAliveWithin > TimeSpan.Zero, "Metrics:CacheDuration must not be negative and Metrics:ServerAliveWithin must be positive.")
            .Validate(o => string.IsNullOrEmpty(o.ScrapeKeySha256) || (o.ScrapeKeySha256.Length == 64 && o.ScrapeKeySha256.All(Uri.IsHexDigit)),
                "Metrics:ScrapeKeySha256 must be the 64 hex digits of the scrape key's SHA-256 (printf %s \"$KEY\" | sha256sum).")
            .ValidateOnStart();
        // One registry per host: the engine's metrics and the cluster gauges; /metrics adds the process-wide defaults.
        services.AddSingleton(_ => new EngineMetrics(Prometheus.Metrics.NewCustomRegistry()));
        services.AddSingleton<ClusterGauges>();
        services.AddSingleton<ChartQueries>();
        services.AddHostedService<MinuteRollup>();
        services.AddSingleton<ControlSnapshot>();
        services.AddSingleton<ChunkGate>();
        services.AddSingleton<WorkerTypeControls>();
        services.AddHostedService<ControlRefresher>();

        services.AddEngineHangfire();
        services.AddSingleton<WorkerTypeRegistry>();
        services.AddSingleton<IQueueCatalog>(sp => sp.GetRequiredService<WorkerTypeRegistry>());
        services.AddSingleton<IValidateOptions<WorkerTypeOptions>, WorkerTypeOptionsValidator>();
        services.AddJobConsole();

        services.AddSingleton<AuditLog>();
        services.AddSingleton<TransactionalJobs>();
        services.AddSingleton<SharedRateLimiter>();
        services.AddSingleton<FinalItemsReader>();
        services.AddSingleton<ChunkScheduler>();
        services.AddSingleton<BatchSubmitter>();
        services.AddSingleton<BatchFinalizer>();
        services.AddSingleton<BatchControl>();
        services.AddSingleton<BatchQueries>();
        services.AddSingleton<ChunkJobQueries>();
        services.AddSingleton<BatchOutputStore>();
        services.AddSingleton<ChunkStore>();
        services.AddSingleton<ChunkFinisher>();
        services.AddSingleton<ChunkRunner>();
        services.AddTransient<ChunkJob>();
        services.AddTransient<WebhookJob>();
        services.AddTransient<BatchFinalJob>();
        services.AddTransient<StalledChunksSweep>();
        services.AddTransient<RepairBatchesSweep>();
        services.AddTransient<ConsoleRetentionSweep>();
        // One try per job run: Hangfire retries the job with growing delays (WebhookJob).
        services.AddOutboundHttpClient(WebhookJob.HttpClientName, WebhookJob.Section, options => options.MaxAttempts = 1);
        // Dead lock holders first: its start releases locks a crashed process left, before the recurring jobs are registered.
        services.AddSingleton<DeadLockHolders>();
        services.AddHostedService(sp => sp.GetRequiredService<DeadLockHolders>());
        services.AddHostedService<SweepSchedule>();
        services.AddHostedService<ChunkJobParking>();
        return services;
    }
}
