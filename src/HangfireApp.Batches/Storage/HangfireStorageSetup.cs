using Hangfire;
using Hangfire.PostgreSql;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.Logging;
using HangfireApp.Batches.Queues;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.Storage;

/// <summary>
/// The tunable part of Hangfire's PostgreSQL storage, bound from <c>Hangfire:Storage</c>. What the engine depends on is
/// not here: <see cref="HangfireStorageSetup"/> sets it itself.
/// </summary>
public sealed class HangfireStorageOptions
{
    public const string Section = "Hangfire:Storage";

    /// <summary>The schema of Hangfire's tables (the sweeps read it too).</summary>
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>
    /// The fallback poll of an idle worker (the library's default is 15 s). Pickup does not wait for it: every enqueue
    /// notifies (<see cref="JobQueueWakeups"/>), the engine's own requeues included (a chunk stopped by a server's
    /// shutdown is enqueued anew, and any other job a stopping server puts back notifies), and the listener wakes every
    /// queue's workers when it reconnects. Left to the poll: a job put back by a process still on the library's queue
    /// (a rolling upgrade), or whose notification failed. Each poll is a fetch per idle worker: at 1 s, two idle hosts
    /// of four workers each made ~16 fetches a second.
    /// </summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a fetched job stays invisible to other servers without a heartbeat (the sliding timeout renews it).</summary>
    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public bool PrepareSchemaIfNecessary { get; set; } = true;

    /// <summary>Null when valid, else the message that stops the process, naming the setting.</summary>
    public string? Validate() =>
        string.IsNullOrWhiteSpace(SchemaName) ? $"{Section}:SchemaName is required."
        : QueuePollInterval <= TimeSpan.Zero ? $"{Section}:QueuePollInterval must be positive."
        : InvisibilityTimeout <= TimeSpan.Zero ? $"{Section}:InvisibilityTimeout must be positive."
        : DistributedLockTimeout <= TimeSpan.Zero ? $"{Section}:DistributedLockTimeout must be positive."
        : null;
}

/// <summary>
/// Hangfire on PostgreSQL as the engine needs it, registered by the engine itself (<see cref="BatchEngineSetup.AddBatchEngine"/>)
/// so that no host can forget a part of it: its filters (the log scope, the chunk retry, the queue keeper) and the
/// storage settings its invariants rest on.
/// </summary>
public static class HangfireStorageSetup
{
    /// <summary>
    /// The storage options: the tunable ones from <c>Hangfire:Storage</c>, and the ones the engine depends on, whatever
    /// the configuration says. Long polling (LISTEN/NOTIFY): a chunk job starts as soon as it is enqueued, not after the
    /// library's 15 s poll; <see cref="JobQueueWakeups"/> listens and notifies in the library's stead, and the flag stays
    /// on so that a storage built without it (the benchmark's client) still notifies. The sliding invisibility timeout: a
    /// chunk job running longer than the invisibility timeout is not fetched a second time by another server while it
    /// still runs.
    /// </summary>
    public static PostgreSqlStorageOptions StorageOptions(HangfireStorageOptions settings) => new()
    {
        SchemaName = settings.SchemaName,
        QueuePollInterval = settings.QueuePollInterval,
        InvisibilityTimeout = settings.InvisibilityTimeout,
        DistributedLockTimeout = settings.DistributedLockTimeout,
        PrepareSchemaIfNecessary = settings.PrepareSchemaIfNecessary,
        EnableLongPolling = true,
        UseSlidingInvisibilityTimeout = true,
    };

    internal static IServiceCollection AddEngineHangfire(this IServiceCollection services)
    {
        services.AddOptions<HangfireStorageOptions>().BindConfiguration(HangfireStorageOptions.Section)
            .Validate(settings => settings.Validate() is null, "Hangfire:Storage is invalid.")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<HangfireStorageOptions>, StorageValidator>();
        services.AddSingleton(sp => StorageOptions(sp.GetRequiredService<IOptions<HangfireStorageOptions>>().Value));
        services.AddSingleton<JobQueueWakeups>();
        services.AddHangfire((sp, configuration) =>
        {
            var connectionString = sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
            // Hangfire keeps filters in a process-wide list; replace ours rather than add a copy per host.
            GlobalJobFilters.Filters.Remove<JobLogScopeFilter>();
            GlobalJobFilters.Filters.Remove<ChunkRetryFilter>();
            GlobalJobFilters.Filters.Remove<QueuePreservingFilter>();
            // Hangfire's default culture capture stores the creating thread's culture with every job and reads it back
            // (two job-parameter queries) before every run. The service runs with invariant globalization, so every
            // culture is the invariant one and the capture carries nothing: three round trips a chunk job saved, two of
            // them between a chunk's pickup and its first item.
            GlobalJobFilters.Filters.Remove<CaptureCultureAttribute>();
            // Hangfire's own continuations (ContinueJobWith) are not used: a batch's continuation is the engine's. Their
            // filter still reads a job parameter as every job ends (one round trip a chunk job, and one a sweep).
            GlobalJobFilters.Filters.Remove<ContinuationsSupportAttribute>();
            var storage = configuration
                .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UseFilter(new JobLogScopeFilter(sp.GetRequiredService<ILoggerFactory>()))
                .UseFilter(new ChunkRetryFilter())
                .UseFilter(new QueuePreservingFilter())
                .UsePostgreSqlStorage(connection => connection.UseNpgsqlConnection(connectionString), sp.GetRequiredService<PostgreSqlStorageOptions>())
                .Entry;
            sp.GetRequiredService<JobQueueWakeups>().Install(storage);
        });
        return services;
    }

    /// <summary>Names the bad setting in the message that stops the process.</summary>
    private sealed class StorageValidator : IValidateOptions<HangfireStorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, HangfireStorageOptions options) =>
            options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
