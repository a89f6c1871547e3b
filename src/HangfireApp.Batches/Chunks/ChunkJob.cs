using Hangfire;
using Hangfire.Server;
using Hangfire.States;

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
    // No [DisplayName]: Hangfire would prefer it to the dashboard's DisplayNameFunc, which titles a chunk job
    // "Chunk 3 of batch 18" (HangfireApp.Dashboard.Operations.ChunkJobPage).
    public async Task RunAsync(long chunkId, PerformContext? context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context); // Hangfire always passes it when it performs the job.
        try
        {
            await runner.RunAsync(chunkId, context.BackgroundJob.Id, cancellationToken);
        }
        catch (ChunkRetryException retry)
        {
            // Scheduled straight from Processing. Were the exception left to Hangfire, the job's history would first
            // show a red Failed state with a stack trace, although nothing failed for good: the chunk only waits.
            // Hangfire then leaves the job alone: it completes a job only while it is still Processing.
            var state = new ScheduledState(retry.Delay) { Reason = ChunkRetryFilter.ReasonOf(retry) };
            new BackgroundJobClient(context.Storage).ChangeState(context.BackgroundJob.Id, state, ProcessingState.StateName);
        }
    }
}
