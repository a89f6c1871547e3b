using Hangfire.Client;
using Hangfire.States;

namespace HangfireApp.Batches.Queues;

/// <summary>
/// Keeps a job on the queue it was created on. Hangfire enqueues a job that comes back from Scheduled (a chunk's
/// retry, a deferral by pause or cap) or is requeued from the dashboard with <c>new EnqueuedState()</c>, i.e. on
/// the <c>default</c> queue, unless the storage supports <c>Job.Queue</c>, which Hangfire.PostgreSql does not. A
/// retried chunk would then lose its priority, and on a server that does not fetch <c>default</c> it would never
/// run. So the queue is stored as a job parameter at creation and restored whenever a job is enqueued on
/// <c>default</c> without asking for it.
/// </summary>
public sealed class QueuePreservingFilter : IClientFilter, IElectStateFilter
{
    /// <summary>The job parameter holding the queue the job was created on.</summary>
    public const string Parameter = "Queue";

    public void OnCreating(CreatingContext context)
    {
        if (context.InitialState is EnqueuedState { Queue: var queue } && queue != EnqueuedState.DefaultQueue)
        {
            context.SetJobParameter(Parameter, queue);
        }
    }

    public void OnCreated(CreatedContext context)
    {
    }

    public void OnStateElection(ElectStateContext context)
    {
        if (context.CandidateState is EnqueuedState enqueued && enqueued.Queue == EnqueuedState.DefaultQueue
            && context.GetJobParameter<string>(Parameter) is { Length: > 0 } original)
        {
            enqueued.Queue = original;
        }
    }
}
