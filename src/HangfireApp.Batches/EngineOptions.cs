namespace HangfireApp.Batches;

/// <summary>Engine settings: the <c>Batches</c>, <c>Chunks</c> and <c>Sweeps</c> sections.</summary>
public sealed class BatchLimitsOptions
{
    public const string Section = "Batches";

    /// <summary>Most items one <c>POST /api/batches</c> may carry (more → 413).</summary>
    public int MaxItemsPerRequest { get; set; } = 100_000;

    /// <summary>Largest accepted request body in bytes (more → 413).</summary>
    public long MaxRequestBodyBytes { get; set; } = 256L * 1024 * 1024;

    public int PageSize { get; set; } = 50;
}

public sealed class ChunkOptions
{
    public const string Section = "Chunks";

    /// <summary>How often a running chunk proves it is alive (and learns of a cancel or a lost lease).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Item outcomes are written in bulk at most this often while a chunk runs (and at its end).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);
}

public sealed class SweepOptions
{
    public const string Section = "Sweeps";

    /// <summary>A running chunk whose heartbeat is older than this is rescued (requeued under a new epoch).</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the sweeps run: whole seconds dividing a minute (10, 15, 20, 30) or whole minutes.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often a host releases Hangfire locks whose holder's database session is gone (after a PostgreSQL
    /// restart or a killed process; see <c>Storage.DeadLockHolders</c>). Zero turns it off.</summary>
    public TimeSpan LockHolderCheckInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Hangfire schema, to look up the state of a chunk's job.</summary>
    public string HangfireSchema { get; set; } = "hangfire";

    /// <summary>The interval as a Hangfire cron expression (six fields when it is in seconds).</summary>
    public string Cron() =>
        Interval.TotalSeconds < 60
            ? $"*/{(int)Interval.TotalSeconds} * * * * *"
            : $"*/{(int)Interval.TotalMinutes} * * * *";

    public string? Validate()
    {
        var seconds = Interval.TotalSeconds;
        var valid = seconds < 60
            ? seconds >= 10 && seconds == Math.Floor(seconds) && 60 % (int)seconds == 0
            : seconds % 60 == 0 && seconds <= 3600;
        return valid ? null : $"Sweeps:Interval must be 10, 12, 15, 20 or 30 seconds or whole minutes up to an hour (it is {Interval}).";
    }
}
