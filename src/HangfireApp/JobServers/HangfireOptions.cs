namespace HangfireApp.JobServers;

/// <summary>The <c>Hangfire</c> section: storage tuning and the job servers this process runs.</summary>
public sealed class HangfireOptions
{
    public const string Section = "Hangfire";

    public StorageSettings Storage { get; set; } = new();

    /// <summary>Each entry becomes its own background job server with its own queues and worker count.
    /// Empty: one default server listening on every enabled worker type's queues.</summary>
    public List<ServerSettings> Servers { get; set; } = [];

    /// <summary>How often servers report a heartbeat; <c>/health/ready</c> wants one within three intervals.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Hangfire.PostgreSql settings, with production defaults rather than the library's.</summary>
public sealed class StorageSettings
{
    public string SchemaName { get; set; } = "hangfire";

    /// <summary>The library's default is 15 s; long polling makes pickup immediate, this is the fallback.</summary>
    public TimeSpan QueuePollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>LISTEN/NOTIFY wakes a worker as soon as a job is enqueued.</summary>
    public bool EnableLongPolling { get; set; } = true;

    /// <summary>Without it, a job running longer than the invisibility timeout is fetched a second time.</summary>
    public bool UseSlidingInvisibilityTimeout { get; set; } = true;

    public TimeSpan InvisibilityTimeout { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan DistributedLockTimeout { get; set; } = TimeSpan.FromMinutes(10);

    public bool PrepareSchemaIfNecessary { get; set; } = true;
}

public sealed class ServerSettings
{
    public string Name { get; set; } = "";

    public List<string> Queues { get; set; } = [];

    public int WorkerCount { get; set; }
}
