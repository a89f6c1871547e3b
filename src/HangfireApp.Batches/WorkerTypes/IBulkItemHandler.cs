namespace HangfireApp.Batches.WorkerTypes;

/// <summary>
/// Processes a chunk's pending items a slice at a time (one query, one COPY, one batch call for many items) instead
/// of one at a time. One instance per chunk run: <see cref="OpenChunkAsync"/> runs once before the first slice (open a
/// connection, warm a cache, load a model), <see cref="HandleSliceAsync"/> once per slice of at most
/// <see cref="WorkerTypeOptions.SliceSize"/> items in input order (up to <see cref="WorkerTypeOptions.MaxDegreeOfParallelism"/>
/// slices at once, so per-chunk state must be thread-safe when that is above 1), and <see cref="CloseChunkAsync"/> once
/// at the end, whatever happened — unless <see cref="OpenChunkAsync"/> threw, which fails the run's items for this
/// attempt (they are retried with the chunk). The instance is disposed after <see cref="CloseChunkAsync"/> when it is
/// <see cref="IAsyncDisposable"/> or <see cref="IDisposable"/> (a scoped service, like per-item handlers).
/// </summary>
/// <remarks>
/// The engine treats every item of a slice exactly as it treats an item of a per-item handler: outcomes are written
/// in bulk and fenced by the chunk's lease, only items that did not succeed are retried, cancel and lost leases stop
/// the run, console progress and counters count items. A slice has <see cref="WorkerTypeOptions.ItemTimeout"/> as its
/// deadline (its cancellation token fires then); a slice that overruns it, or that throws, fails all its items for
/// this attempt (for good when the exception is an <see cref="IItemFailure"/> that is not retryable, or on the last
/// attempt). A slice interrupted by the chunk stopping (cancel, lost lease, shutdown) leaves its items pending.
/// </remarks>
public interface IBulkItemHandler
{
    /// <summary>Per-chunk setup, before the first slice. Default: nothing.</summary>
    ValueTask OpenChunkAsync(IChunkContext chunk, CancellationToken cancellationToken) => ValueTask.CompletedTask;

    /// <summary>
    /// Processes <paramref name="slice"/> and returns exactly one <see cref="ItemResult"/> per item, in the same order
    /// (a list of another length fails the whole slice for this attempt).
    /// </summary>
    ValueTask<IReadOnlyList<ItemResult>> HandleSliceAsync(IReadOnlyList<WorkItem> slice, CancellationToken cancellationToken);

    /// <summary>Per-chunk teardown, after the last slice, also when the run failed or was stopped. Default: nothing.</summary>
    ValueTask CloseChunkAsync(IChunkContext chunk, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
