namespace HangfireApp.Workers.Rows;

/// <summary>
/// The <c>rows</c> worker type's own settings, bound from <c>WorkerTypes:rows</c> next to the engine's (chunk size,
/// parallelism, item timeout, retries), which <see cref="HangfireApp.Batches.WorkerTypes.WorkerTypeOptions"/> reads.
/// </summary>
public sealed class RowsOptions
{
    public const string Section = "WorkerTypes:rows";

    /// <summary>
    /// Base64 of 32 random bytes (<c>openssl rand -base64 32</c>), the same on every host: encrypts secret header
    /// values at rest (AES-256-GCM). Without it, uploads with secret headers are refused.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>Largest accepted CSV file, in bytes (a larger upload is answered 413).</summary>
    public long MaxFileBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Most data rows per upload.</summary>
    public int MaxRows { get; set; } = 100_000;

    /// <summary>Largest response body read per row (decompressed); a larger one is the row's error.</summary>
    public int MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>Per-request timeout when the call does not set <c>timeoutSeconds</c>.</summary>
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Largest <c>timeoutSeconds</c> a call may ask for.</summary>
    public TimeSpan MaxTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>In-flight limit of a batch whose call does not set <c>maxInFlight</c>.</summary>
    public int DefaultMaxInFlight { get; set; } = 16;

    /// <summary>Largest <c>maxInFlight</c> a call may ask for.</summary>
    public int MaxInFlight { get; set; } = 1000;

    /// <summary>Tries per row within one item run for 429, 5xx and network errors, before the item fails (and its chunk retries it).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>First back-off after a 5xx or a network error; doubled on each further one.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest Retry-After waited for inside an item; a longer one fails the item, which its chunk retries later.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Redirects followed per row (301, 302, 303, 307, 308).</summary>
    public int MaxRedirects { get; set; } = 5;

    /// <summary>Most columns a call may add to the output (configured, or found by flattening the responses).</summary>
    public int MaxAddedColumns { get; set; } = 100;

    /// <summary>A chunk writes a progress line to its console every this many rows, unless the call sets <c>progressEvery</c>.</summary>
    public int ProgressEvery { get; set; } = 100;

    public string? Validate()
    {
        if (SecretKey is not null && SecretProtector.TryParseKey(SecretKey) is null)
        {
            return $"{Section}:SecretKey must be the base64 of exactly 32 bytes (openssl rand -base64 32).";
        }
        if (MaxFileBytes < 1 || MaxRows < 1 || MaxResponseBytes < 1)
        {
            return $"{Section}:MaxFileBytes, MaxRows and MaxResponseBytes must be positive.";
        }
        if (DefaultTimeout <= TimeSpan.Zero || MaxTimeout < DefaultTimeout)
        {
            return $"{Section}:DefaultTimeout must be positive and at most MaxTimeout.";
        }
        if (DefaultMaxInFlight < 1 || MaxInFlight < DefaultMaxInFlight)
        {
            return $"{Section}:DefaultMaxInFlight must be at least 1 and at most MaxInFlight.";
        }
        if (MaxAttempts < 1 || BackoffBase < TimeSpan.Zero || MaxRetryAfter < TimeSpan.Zero || MaxRedirects < 0 || MaxAddedColumns < 1 || ProgressEvery < 1)
        {
            return $"{Section}: MaxAttempts, MaxAddedColumns and ProgressEvery must be at least 1; BackoffBase, MaxRetryAfter and MaxRedirects not negative.";
        }
        return null;
    }
}
