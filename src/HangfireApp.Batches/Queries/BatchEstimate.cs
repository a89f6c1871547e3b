namespace HangfireApp.Batches.Queries;

/// <summary>
/// Items per second and time left of a batch, from its counters and timestamps. Pure arithmetic on values any row
/// may hold (a batch that has run for days, a rerun of a month-old batch, a rate that rounds to zero), so it never
/// throws: one batch's odd numbers must not break a page that lists it.
/// </summary>
public static class BatchEstimate
{
    /// <summary>Beyond this the "estimate" is noise (a stalled or rerun batch): it is shown as unknown.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromDays(365);

    /// <summary>
    /// How long the batch has been active: its ended runs (<paramref name="activeSeconds"/>) plus the open run, from
    /// <paramref name="runStartedAt"/> to now. Null if it never started. The time between runs (a rerun weeks later)
    /// does not count; retry waits inside a run do.
    /// </summary>
    public static TimeSpan? ActiveTime(double activeSeconds, DateTime? runStartedAt, DateTime now)
    {
        if (runStartedAt is null && !(activeSeconds > 0))
        {
            return null;
        }
        var open = runStartedAt is { } started ? Math.Max(0, (now - started).TotalSeconds) : 0;
        // Clamped to what a TimeSpan holds, whatever a row says.
        return TimeSpan.FromSeconds(Math.Min(Math.Max(0, activeSeconds) + open, Longest.TotalSeconds * 100));
    }

    /// <summary>Rate over the active time (rounded for display) and ETA; both null until an item is done. The ETA of a final batch is zero.</summary>
    public static (double? ItemsPerSecond, TimeSpan? Eta) Of(long total, long done, TimeSpan? activeTime, bool final)
    {
        if (activeTime is not { } active || done <= 0)
        {
            return (null, null);
        }
        var rate = done / Math.Max(0.001, active.TotalSeconds);
        return (Math.Round(rate, 1), final ? TimeSpan.Zero : Remaining(total - done, rate));
    }

    /// <summary>
    /// Time left at <paramref name="itemsPerSecond"/>, from the unrounded rate (a rate shown as 0.0 is not zero);
    /// null when unknown or longer than <see cref="Longest"/>, which also keeps it inside what a TimeSpan holds.
    /// </summary>
    public static TimeSpan? Remaining(long items, double itemsPerSecond)
    {
        if (items <= 0)
        {
            return TimeSpan.Zero;
        }
        if (!(itemsPerSecond > 0) || double.IsInfinity(itemsPerSecond))
        {
            return null;
        }
        var seconds = Math.Round(items / itemsPerSecond);
        return seconds <= Longest.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
    }
}
