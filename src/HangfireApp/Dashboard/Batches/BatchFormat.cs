using System.Globalization;
using HangfireApp.Batches.Queries;

namespace HangfireApp.Dashboard.Batches;

/// <summary>How batch numbers read on the pages and in the live JSON; one place so both always agree.</summary>
internal static class BatchFormat
{
    public static readonly IReadOnlyList<string> BatchStates = HangfireApp.Batches.States.BatchStates.All;

    public static bool IsOpen(string state) => !HangfireApp.Batches.States.BatchStates.IsFinal(state);

    /// <summary>Bootstrap 3 label class of a batch or chunk state.</summary>
    public static string StateClass(string state) => state switch
    {
        "running" => "label-primary",
        "queued" => "label-info",
        "succeeded" => "label-success",
        "completed_with_failures" => "label-warning",
        "failed" => "label-danger",
        _ => "label-default",
    };

    public static string StateText(string state) => state.Replace('_', ' ');

    /// <summary>
    /// A running batch with no chunk running has no item in flight: its chunks wait (for a retry's delay, a paused
    /// worker type, a cap or a free worker). It reads "waiting", so "running" always means items are in flight.
    /// </summary>
    public static bool IsWaiting(BatchView batch) => batch.State == "running" && batch.ChunkCounts.Running == 0;

    public static string StateText(BatchView batch) => IsWaiting(batch) ? "waiting" : StateText(batch.State);

    public static string StateClass(BatchView batch) => IsWaiting(batch) ? "label-info" : StateClass(batch.State);

    /// <summary>
    /// Its active time, the time its items/s is measured over: each run from its start to its end (the open one as of
    /// the page's read), not the time between a batch's end and its rerun; "–" before it started.
    /// </summary>
    public static string Duration(BatchView batch) => batch.ActiveTime is { } active ? Duration(active) : "–";

    public static string Percent(long part, long total) =>
        total == 0 ? "0" : (100.0 * part / total).ToString("0.##", CultureInfo.InvariantCulture);

    public static string ProgressText(double progress) => (progress * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Rate(double? itemsPerSecond) =>
        itemsPerSecond is { } rate ? rate.ToString("0.#", CultureInfo.InvariantCulture) + "/s" : "–";

    /// <summary>No estimate while nothing runs: a batch waiting for a retry would otherwise claim "0 s".</summary>
    public static string Eta(BatchView batch) =>
        !IsOpen(batch.State) ? "–" : IsWaiting(batch) ? "waiting" : batch.Eta is { } eta ? Duration(eta) : "…";

    public static string Duration(TimeSpan span) => span.TotalSeconds switch
    {
        < 1 => "0 s",
        < 60 => $"{(int)span.TotalSeconds} s",
        < 3600 => span.Seconds == 0 ? $"{(int)span.TotalMinutes} min" : $"{(int)span.TotalMinutes} min {span.Seconds} s",
        < 86400 => span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min",
        _ => span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h",
    };

    public static string Age(DateTime? at, DateTime now) => at is { } time ? Duration(now - time) + " ago" : "–";

    public static string Time(DateTime? at) => at?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "–";

    public static string Number(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
