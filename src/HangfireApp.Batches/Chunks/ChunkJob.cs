using System.ComponentModel;
using Hangfire;
using Hangfire.Server;

namespace HangfireApp.Batches.Chunks;

/// <summary>
/// The Hangfire job of one chunk. A stable contract: Hangfire stores this type and method name with every
/// queued job, so neither may be renamed. Takes ids only; everything else is read from the chunk row.
/// </summary>
public sealed class ChunkJob(ChunkRunner runner)
{
    /// <summary>Hangfire's own retries are off: a chunk retries through <see cref="ChunkRetryFilter"/> with
    /// its worker type's delays, and any other failure is left to the stalled-chunks sweep.</summary>
    [AutomaticRetry(Attempts = 0, OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Chunk {0}")]
    public Task RunAsync(long chunkId, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context); // Hangfire always passes it when it performs the job.
        return runner.RunAsync(chunkId, context.BackgroundJob.Id, cancellationToken);
    }
}
