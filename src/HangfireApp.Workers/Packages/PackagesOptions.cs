using HangfireApp.Workers.Packages.Advisories;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// The <c>packages</c> worker type's own settings, bound from <c>WorkerTypes:packages</c> next to the engine's
/// (chunk size, parallelism, retries), which <see cref="HangfireApp.Batches.WorkerTypes.WorkerTypeOptions"/> reads.
/// </summary>
public sealed class PackagesOptions
{
    public const string Section = "WorkerTypes:packages";

    /// <summary>When the <c>pending-packages</c> sweep runs (a Hangfire cron, 5 or 6 fields). Default: every minute.</summary>
    public string PendingSweepCron { get; set; } = "* * * * *";

    /// <summary>
    /// Most packages one run of the sweep claims; past it, a new run goes on with the rest. Default 100,000.
    /// </summary>
    public int MaxPackagesPerCycle { get; set; } = 100_000;

    /// <summary>
    /// Most chunks in one batch of the sweep. Its first round takes one chunk (so scanning starts at once) and each
    /// later round twice as many as the last, up to this, as one batch whose chunks are queued together. Default 16.
    /// </summary>
    public int SweepBatchChunks { get; set; } = 16;

    /// <summary>Registering packages (or putting failed ones back to pending) runs the sweep at once, instead of at
    /// its next cron time. Default true.</summary>
    public bool ScanOnRegister { get; set; } = true;

    /// <summary><c>local</c> (default): match against the imported advisories; <c>http</c>: ask <see cref="Http"/>'s endpoint.</summary>
    public string Scanner { get; set; } = ScannerKinds.Local;

    public HttpScannerOptions Http { get; set; } = new();

    /// <summary>
    /// Compiled advisories each host keeps in memory for scanning (about 2–3 KB each). Default 100,000: more than
    /// the npm, PyPI, crates.io, NuGet and Go advisories a typical inventory touches.
    /// </summary>
    public int AdvisoryCacheSize { get; set; } = 100_000;

    /// <summary>
    /// After an import, the importing host compiles the advisories into its cache in the background (up to
    /// <see cref="AdvisoryCacheSize"/>), so the scans that follow start warm. Default true.
    /// </summary>
    public bool WarmAdvisoryCache { get; set; } = true;

    /// <summary>Limits of <c>POST /api/advisories/import</c> (total decompressed bytes, entries, records).</summary>
    public AdvisoryImportOptions Import { get; set; } = new();

    public string? Validate()
    {
        if (Import.Validate($"{Section}:Import") is { } importError)
        {
            return importError;
        }
        if (MaxPackagesPerCycle is < 1 or > 10_000_000)
        {
            return $"{Section}:MaxPackagesPerCycle must be between 1 and 10000000 (it is {MaxPackagesPerCycle}).";
        }
        if (SweepBatchChunks is < 1 or > 1_000)
        {
            return $"{Section}:SweepBatchChunks must be between 1 and 1000 (it is {SweepBatchChunks}).";
        }
        if (AdvisoryCacheSize is < 0 or > 10_000_000)
        {
            return $"{Section}:AdvisoryCacheSize must be between 0 and 10000000 (it is {AdvisoryCacheSize}).";
        }
        if (string.IsNullOrWhiteSpace(PendingSweepCron))
        {
            return $"{Section}:PendingSweepCron must be a cron expression.";
        }
        if (Scanner is not (ScannerKinds.Local or ScannerKinds.Http))
        {
            return $"{Section}:Scanner must be '{ScannerKinds.Local}' or '{ScannerKinds.Http}' (it is '{Scanner}').";
        }
        if (Scanner == ScannerKinds.Http)
        {
            if (!Uri.TryCreate(Http.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                return $"{Section}:Http:Url must be an absolute http or https URL when Scanner is 'http'.";
            }
            if (Http.RequestsPerSecond <= 0 || Http.Burst < 1)
            {
                return $"{Section}:Http:RequestsPerSecond must be positive and Http:Burst at least 1.";
            }
            if (Http.MaxAttempts < 1 || Http.Timeout <= TimeSpan.Zero)
            {
                return $"{Section}:Http:MaxAttempts must be at least 1 and Http:Timeout positive.";
            }
        }
        return null;
    }
}

public static class ScannerKinds
{
    public const string Local = "local";
    public const string Http = "http";
}

/// <summary>The external scanner: <c>POST {Url}</c> with an OSV query (<c>{"package":{"ecosystem","name"},"version"}</c>),
/// answered with <c>{"vulns":[OSV records]}</c> as the OSV API does.</summary>
public sealed class HttpScannerOptions
{
    public string? Url { get; set; }

    /// <summary>Requests per second for all hosts together (a token bucket kept in PostgreSQL).</summary>
    public double RequestsPerSecond { get; set; } = 10;

    /// <summary>Tokens the bucket holds at most: how many requests may go out at once after a quiet spell.</summary>
    public int Burst { get; set; } = 10;

    /// <summary>Tries per package within one item run (429 and 5xx are retried; the rest fail the item).</summary>
    public int MaxAttempts { get; set; } = 4;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First back-off after a 5xx; doubled on each further one.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A 429 asking to wait longer than this is not waited for: the package's item fails and its chunk retries it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);
}
