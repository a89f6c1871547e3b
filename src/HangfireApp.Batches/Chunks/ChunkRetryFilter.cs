using Hangfire.States;

namespace HangfireApp.Batches.Chunks;

/// <summary>Thrown by a chunk job whose failed items get another attempt after <see cref="Delay"/>; its subclass
/// <see cref="Control.ChunkDeferredException"/> puts off a start that a pause or a cap forbids.</summary>
public class ChunkRetryException(string message, TimeSpan delay) : Exception(message)
{
    public TimeSpan Delay { get; } = delay;
}

/// <summary>
/// Turns a chunk job failed by <see cref="ChunkRetryException"/> into a Scheduled retry after the worker
/// type's delay. The delay comes with the exception because it differs per worker type, which a
/// method-level <c>AutomaticRetry</c> cannot express. <see cref="ChunkJob"/> schedules its own retries without
/// failing (so no Failed state lands in the history); this is the fallback for an exception that escapes it.
/// </summary>
/// <remarks>
/// A real retry (not a deferral) is also listed on Hangfire's Retries page, as Hangfire's own <c>AutomaticRetry</c>
/// lists its retries: the page shows what waits to be retried, and when.
/// </remarks>
public sealed class ChunkRetryFilter : IElectStateFilter, IApplyStateFilter
{
    /// <summary>Starts the Scheduled state's reason of a chunk waiting for its retry.</summary>
    public const string RetryPrefix = "Retry:";

    /// <summary>The set Hangfire's Retries page lists.</summary>
    private const string RetriesSet = "retries";

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is FailedState failed
            && (failed.Exception as ChunkRetryException ?? failed.Exception?.InnerException as ChunkRetryException) is { } retry)
        {
            context.CandidateState = new ScheduledState(retry.Delay) { Reason = ReasonOf(retry) };
        }
    }

    /// <summary>The Scheduled state's reason: a real retry starts with <see cref="RetryPrefix"/>; a deferral says why it waits.</summary>
    public static string ReasonOf(ChunkRetryException retry) =>
        retry is Control.ChunkDeferredException ? retry.Message : $"{RetryPrefix} {retry.Message}";

    public void OnStateApplied(ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
    {
        if (context.NewState is ScheduledState { Reason: { } reason } && reason.StartsWith(RetryPrefix, StringComparison.Ordinal))
        {
            transaction.AddToSet(RetriesSet, context.BackgroundJob.Id);
        }
    }

    public void OnStateUnapplied(ApplyStateContext context, Hangfire.Storage.IWriteOnlyTransaction transaction)
    {
        if (context.OldStateName == ScheduledState.StateName)
        {
            transaction.RemoveFromSet(RetriesSet, context.BackgroundJob.Id);
        }
    }
}
