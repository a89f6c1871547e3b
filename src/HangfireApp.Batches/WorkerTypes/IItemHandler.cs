using System.Text.Json;

using HangfireApp.Batches.JobOutput;

namespace HangfireApp.Batches.WorkerTypes;

/// <summary>
/// Processes one item of a batch. Called concurrently (up to the worker type's MaxDegreeOfParallelism) on
/// one instance per chunk, so per-chunk state is allowed but must be thread-safe. Must be truly async for
/// I/O: never block a thread per item. Throwing fails the item (it is retried with its chunk, unless the exception
/// is an <see cref="IItemFailure"/> that is not retryable); the return value is stored as the item's JSON result.
/// </summary>
public interface IItemHandler
{
    ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by exceptions that know whether trying the item again can help. A handler throwing one with
/// <see cref="Retryable"/> false fails the item for good at once (a page that is not there, a refused address);
/// any other exception fails it for this attempt only, and it is retried with its chunk.
/// </summary>
public interface IItemFailure
{
    bool Retryable { get; }
}

/// <summary>One item as a handler sees it.</summary>
/// <param name="BatchId">The batch the item belongs to.</param>
/// <param name="ItemNo">The item's position in its batch (0-based, the input order).</param>
/// <param name="Payload">The item as submitted.</param>
/// <param name="Attempt">1 on the first try, 2 on the first retry, and so on.</param>
/// <param name="Chunk">The chunk running the item: its console and its stop switch.</param>
public sealed record WorkItem(long BatchId, int ItemNo, JsonElement Payload, int Attempt, IChunkContext Chunk);

/// <summary>What a handler may ask of the chunk that runs its items.</summary>
public interface IChunkContext
{
    long ChunkId { get; }

    /// <summary>This chunk's attempt, 1-based.</summary>
    int Attempt { get; }

    /// <summary>The job's console: lines and progress bars shown on the dashboard.</summary>
    IJobConsole Console { get; }

    /// <summary>
    /// Stops the chunk from starting more items; items in flight are interrupted and stay pending. The items it has
    /// not finished are retried later, after the worker type's retry delay. A stopped run that finished at least one
    /// item for good does not use up one of the chunk's attempts, so even on the last attempt the items it never
    /// started are retried instead of failed; a stopped run that finished nothing uses up its attempt as usual.
    /// </summary>
    void RequestStop(string reason);
}
