using Hangfire.States;

namespace HangfireApp.Batches.Chunks;

/// <summary>Thrown by a chunk job whose failed items get another attempt after <see cref="Delay"/>.</summary>
public sealed class ChunkRetryException(string message, TimeSpan delay) : Exception(message)
{
    public TimeSpan Delay { get; } = delay;
}

/// <summary>
/// Turns a chunk job failed by <see cref="ChunkRetryException"/> into a Scheduled retry after the worker
/// type's delay. The delay comes with the exception because it differs per worker type, which a
/// method-level <c>AutomaticRetry</c> cannot express.
/// </summary>
public sealed class ChunkRetryFilter : IElectStateFilter
{
    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is FailedState failed
            && (failed.Exception as ChunkRetryException ?? failed.Exception?.InnerException as ChunkRetryException) is { } retry)
        {
            context.CandidateState = new ScheduledState(retry.Delay) { Reason = retry.Message };
        }
    }
}
