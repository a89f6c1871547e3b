using System.Text.Json;

namespace HangfireApp.Batches.Schedules;

/// <summary>
/// A recurring batch submission: when (cron in a time zone, with a misfire policy) and what (a worker type
/// with fixed items, or a named <see cref="IScheduleQuery"/> that selects the items when it fires).
/// </summary>
public sealed record ScheduleDefinition(
    string Id,
    string Cron,
    string TimeZone,
    string Misfire,
    string WorkerType,
    IReadOnlyList<JsonElement>? Items,
    string? Query,
    string Priority,
    int? ChunkSize,
    string? Description,
    string Source = ScheduleSources.Api)
{
    /// <summary>The Hangfire recurring job of a schedule: stable, so the dashboard and the API agree on it.</summary>
    public static string RecurringJobIdOf(string scheduleId) => $"schedule:{scheduleId}";
}

public static class ScheduleSources
{
    public const string Api = "api";
    public const string Config = "config";
}

public static class MisfirePolicies
{
    /// <summary>Hangfire's default: one run for all missed occurrences, as soon as possible.</summary>
    public const string Relaxed = "relaxed";

    /// <summary>One run per missed occurrence.</summary>
    public const string Strict = "strict";

    /// <summary>Missed occurrences are skipped; the next run is the next occurrence.</summary>
    public const string Ignorable = "ignorable";

    public static readonly IReadOnlyList<string> All = [Relaxed, Strict, Ignorable];
}

/// <summary>A schedule as the API shows it, with its recurring job's next and last run from Hangfire.</summary>
public sealed record ScheduleView(
    string Id,
    string Cron,
    string TimeZone,
    string Misfire,
    string WorkerType,
    IReadOnlyList<JsonElement>? Items,
    string? Query,
    string Priority,
    int? ChunkSize,
    string? Description,
    string Source,
    string RecurringJobId,
    DateTime? NextExecution,
    DateTime? LastExecution,
    long? LastBatchId,
    DateTime? LastRunAt,
    DateTime CreatedAt,
    DateTime UpdatedAt);
