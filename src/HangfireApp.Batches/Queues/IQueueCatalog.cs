namespace HangfireApp.Batches.Queues;

/// <summary>The queues this process's enabled worker types use; the default job server listens on all of them.</summary>
public interface IQueueCatalog
{
    IReadOnlyList<string> WorkerQueues { get; }
}
