namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// The <c>telemetry</c> worker type's own settings, bound from <c>WorkerTypes:telemetry</c> next to the engine's
/// (chunk size, parallelism, retries), which <see cref="HangfireApp.Batches.WorkerTypes.WorkerTypeOptions"/> reads.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "WorkerTypes:telemetry";

    /// <summary>When the <c>pending-matches</c> sweep runs (a Hangfire cron). Default: every minute.</summary>
    public string PendingSweepCron { get; set; } = "* * * * *";

    /// <summary>Most matches one sweep turns into a batch.</summary>
    public int MaxMatchesPerCycle { get; set; } = 200;

    /// <summary>
    /// Telemetry files parsed at once in this process (0: one per processor). Parsing is CPU-bound: more than the
    /// processors only adds memory (each parse holds its buffers) without adding throughput.
    /// </summary>
    public int MaxConcurrentParses { get; set; }

    /// <summary>Largest file accepted, as uploaded or downloaded (compressed or not): 512 MiB.</summary>
    public long MaxFileBytes { get; set; } = 512L * 1024 * 1024;

    /// <summary>Time limit of one telemetry download.</summary>
    public TimeSpan FetchTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The optional RabbitMQ intake.</summary>
    public RabbitMqIntakeOptions RabbitMq { get; set; } = new();

    public int EffectiveMaxConcurrentParses => MaxConcurrentParses > 0 ? MaxConcurrentParses : Environment.ProcessorCount;

    public string? Validate()
    {
        if (string.IsNullOrWhiteSpace(PendingSweepCron))
        {
            return $"{Section}:PendingSweepCron must be a cron expression.";
        }
        if (MaxMatchesPerCycle is < 1 or > 100_000)
        {
            return $"{Section}:MaxMatchesPerCycle must be between 1 and 100000 (it is {MaxMatchesPerCycle}).";
        }
        if (MaxConcurrentParses is < 0 or > 1024)
        {
            return $"{Section}:MaxConcurrentParses must be between 0 (one per processor) and 1024 (it is {MaxConcurrentParses}).";
        }
        if (MaxFileBytes < 1024)
        {
            return $"{Section}:MaxFileBytes must be at least 1024.";
        }
        if (FetchTimeout <= TimeSpan.Zero)
        {
            return $"{Section}:FetchTimeout must be positive.";
        }
        return RabbitMq.Validate($"{Section}:RabbitMq");
    }
}

/// <summary>
/// The RabbitMQ intake: consumes <c>{matchId, telemetryUrl}</c> messages from <see cref="Queue"/> and acknowledges
/// each only once its match is registered in PostgreSQL. Off unless <see cref="Uri"/> is set.
/// </summary>
public sealed class RabbitMqIntakeOptions
{
    /// <summary>The broker, e.g. <c>amqp://user:password@host:5672/vhost</c>.</summary>
    public string? Uri { get; set; }

    /// <summary>The queue consumed (declared durable if missing).</summary>
    public string Queue { get; set; } = "telemetry-matches";

    /// <summary>Unacknowledged messages the broker sends ahead: at most this many are redelivered after a crash.</summary>
    public ushort Prefetch { get; set; } = 50;

    /// <summary>Wait before reconnecting after the broker could not be reached.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(5);

    public bool Enabled => !string.IsNullOrWhiteSpace(Uri);

    public string? Validate(string path)
    {
        if (!Enabled)
        {
            return null;
        }
        if (!System.Uri.TryCreate(Uri, UriKind.Absolute, out var uri) || uri.Scheme is not ("amqp" or "amqps"))
        {
            return $"{path}:Uri must be an amqp:// or amqps:// URI.";
        }
        if (string.IsNullOrWhiteSpace(Queue) || Queue.Length > 255)
        {
            return $"{path}:Queue must be a queue name (1 to 255 characters).";
        }
        if (Prefetch < 1)
        {
            return $"{path}:Prefetch must be at least 1.";
        }
        return ReconnectDelay <= TimeSpan.Zero ? $"{path}:ReconnectDelay must be positive." : null;
    }
}
