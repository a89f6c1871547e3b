using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Operations;

/// <summary>
/// A host of its own for live control and metrics: pausing a worker type or resizing a server must not touch the
/// other collections' hosts. The bench worker type with small chunks and quick retries, a fast control refresh.
/// </summary>
public sealed class OperationsFixture : HostFixture
{
    public const string ServerConfigName = "ops";

    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Name"] = ServerConfigName;
        settings["Control:RefreshInterval"] = "00:00:00.500";
        settings["Control:PausedRecheck"] = "00:00:02";
        settings["Control:CappedRecheck"] = "00:00:00.500";
        settings["Metrics:CacheDuration"] = "00:00:00";
        settings["WorkerTypes:scrape:Enabled"] = "false";
        // Every pickup here must come from an enqueue's notification (a chunk stopped by a pause or a server's resize is
        // enqueued anew): a job left to the fallback poll would wait an hour, and its test would time out.
        settings["Hangfire:Storage:QueuePollInterval"] = "01:00:00";
        return settings;
    }

    protected override Dictionary<string, string?> HostSettings() => Settings();

    /// <summary>The job server's name as /api/servers shows it before the first ':'.</summary>
    public static string ServerName => $"{Environment.MachineName}.{ServerConfigName}".ToLowerInvariant();
}

[CollectionDefinition(Name)]
public sealed class OperationsTests : ICollectionFixture<OperationsFixture>
{
    public const string Name = "operations";
}
