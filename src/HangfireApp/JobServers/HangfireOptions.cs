namespace HangfireApp.JobServers;

/// <summary>The <c>Hangfire</c> section: the job servers this process runs (its <c>Storage</c> part is the engine's:
/// <c>HangfireApp.Batches.Storage.HangfireStorageOptions</c>).</summary>
public sealed class HangfireOptions
{
    public const string Section = "Hangfire";

    /// <summary>Each entry becomes its own background job server with its own queues and worker count.
    /// Empty: one default server listening on every enabled worker type's queues.</summary>
    public List<ServerSettings> Servers { get; set; } = [];

    /// <summary>How often servers report a heartbeat; <c>/health/ready</c> wants one within three intervals.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);
}

public sealed class ServerSettings
{
    public string Name { get; set; } = "";

    public List<string> Queues { get; set; } = [];

    public int WorkerCount { get; set; }
}
