using System.ComponentModel.DataAnnotations;

namespace HangfireApp.Batches.JobOutput;

/// <summary>The <c>JobConsole</c> section: how job consoles are buffered, capped and kept.</summary>
public sealed class JobConsoleOptions
{
    public const string Section = "JobConsole";

    /// <summary>Off: consoles keep nothing (the jobs still run; the dashboard shows no console).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>A session writes its buffered lines and progress at most this often (and when
    /// <see cref="FlushEveryLines"/> lines wait, and when it ends).</summary>
    [Range(10, 60_000)]
    public int FlushIntervalMs { get; set; } = 250;

    /// <summary>This many waiting lines trigger a flush before the interval is up.</summary>
    [Range(1, 100_000)]
    public int FlushEveryLines { get; set; } = 500;

    /// <summary>Lines kept per console section (one job attempt); later lines are dropped and counted, so a
    /// chatty handler cannot fill the memory or the table.</summary>
    [Range(10, 1_000_000)]
    public int MaxLinesPerJob { get; set; } = 10_000;

    /// <summary>Longer lines are cut, with a note of how much was cut.</summary>
    [Range(80, 1_000_000)]
    public int MaxLineLength { get; set; } = 4_000;

    /// <summary>Console sections older than this are deleted by the console-retention sweep, even when their
    /// Hangfire job still exists (failed jobs never expire); sections of expired jobs go earlier.</summary>
    [Range(1, 3650)]
    public int RetentionDays { get; set; } = 7;
}
