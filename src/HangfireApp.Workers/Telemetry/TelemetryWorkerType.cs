using System.Text.Json;

namespace HangfireApp.Workers.Telemetry;

/// <summary>The <c>telemetry</c> worker type's name.</summary>
public static class TelemetryWorkerType
{
    public const string Name = "telemetry";
}

/// <summary>An item of a <c>telemetry</c> batch: the id of the match to aggregate (ids only, never the file).</summary>
public sealed record TelemetryItem(string MatchId)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}

/// <summary>What processing a match stores as its item's result.</summary>
public sealed record TelemetryItemResult(string MatchId, string? MapName, string? Mode, int Players, long Events, long Bytes, double ParseMilliseconds);

/// <summary>A match's statuses, as stored in <c>app.telemetry_matches.status</c>.</summary>
public static class MatchStatuses
{
    /// <summary>Registered; the <c>pending-matches</c> sweep will put it in a batch.</summary>
    public const string Pending = "pending";

    /// <summary>In a batch, waiting for a worker.</summary>
    public const string Queued = "queued";

    /// <summary>A worker is reading its telemetry.</summary>
    public const string Processing = "processing";

    /// <summary>Its statistics are stored.</summary>
    public const string Processed = "processed";

    /// <summary>Its telemetry could not be read or aggregated (see its error).</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Queued, Processing, Processed, Failed];
}

/// <summary>Where a match's telemetry comes from, as stored in <c>app.telemetry_matches.source</c>.</summary>
public static class MatchSources
{
    /// <summary>Uploaded: the file is stored in PostgreSQL (<c>app.telemetry_files</c>).</summary>
    public const string Upload = "upload";

    /// <summary>A URL (API or RabbitMQ intake), fetched by the worker that processes the match.</summary>
    public const string Url = "url";
}
