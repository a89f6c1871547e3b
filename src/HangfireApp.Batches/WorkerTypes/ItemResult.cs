namespace HangfireApp.Batches.WorkerTypes;

/// <summary>
/// One item's outcome as a handler states it: a result, items for the next pipeline stage, or an error that is
/// retryable or not. Bulk handlers (<see cref="IBulkItemHandler"/>) return one per item; a per-item handler
/// (<see cref="IItemHandler"/>) may return one too instead of a plain result (a plain result means
/// <see cref="Succeeded"/>, a thrown exception <see cref="Failed(Exception)"/>).
/// </summary>
public sealed class ItemResult
{
    private ItemResult(ItemResultKind kind, object? value, IReadOnlyList<object?>? emitted, string? error, bool retryable, Exception? exception)
    {
        Kind = kind;
        Value = value;
        Emitted = emitted;
        Error = error;
        Retryable = retryable;
        Exception = exception;
    }

    /// <summary>What the outcome is.</summary>
    public ItemResultKind Kind { get; }

    /// <summary>The item's result, stored as JSON (<see cref="ItemResultKind.Succeeded"/> and <see cref="ItemResultKind.Emitted"/>).</summary>
    public object? Value { get; }

    /// <summary>With <see cref="ItemResultKind.Emitted"/>: the items this item hands to the next pipeline stage, in order.</summary>
    public IReadOnlyList<object?>? Emitted { get; }

    /// <summary>With <see cref="ItemResultKind.Failed"/>: the error as stored on the item.</summary>
    public string? Error { get; }

    /// <summary>With <see cref="ItemResultKind.Failed"/>: whether another attempt may help.</summary>
    public bool Retryable { get; }

    /// <summary>With <see cref="ItemResultKind.Failed"/>: the exception, when the failure came from one (its type names the error).</summary>
    public Exception? Exception { get; }

    /// <summary>The item succeeded with <paramref name="result"/> (any JSON-serialisable value, or null).</summary>
    public static ItemResult Succeeded(object? result) => new(ItemResultKind.Succeeded, result, null, null, false, null);

    /// <summary>
    /// The item succeeded and hands zero or more items to the next pipeline stage instead of its single result (one
    /// document → its pages). The next stage gets them in order, after the items of every earlier item and before
    /// those of every later one. <paramref name="result"/> is what the item itself keeps as its result.
    /// </summary>
    public static ItemResult Emit(IEnumerable<object?> items, object? result = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new(ItemResultKind.Emitted, result, [.. items], null, false, null);
    }

    /// <summary>
    /// The handler did not finish this item because its cancellation token fired. The engine knows why: when the chunk is
    /// stopping (cancel, lost lease, shutdown, <see cref="IChunkContext.RequestStop"/>) the item stays pending, uncounted,
    /// and runs again later; when the deadline (<see cref="WorkerTypeOptions.ItemTimeout"/>) passed it fails with a
    /// timeout — exactly what a per-item handler's item gets in either case. This lets a bulk handler keep the outcomes of
    /// the slice's items it did finish. Returned while the token has not fired, the item fails (a handler must not skip
    /// items silently).
    /// </summary>
    public static ItemResult Unprocessed { get; } = new(ItemResultKind.Unprocessed, null, null, null, true, null);

    /// <summary>The item failed with <paramref name="error"/>; retried with its chunk unless <paramref name="retryable"/> is false.</summary>
    public static ItemResult Failed(string error, bool retryable = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(error);
        return new(ItemResultKind.Failed, null, null, error, retryable, null);
    }

    /// <summary>The item failed with <paramref name="exception"/>; retryable unless it is an <see cref="IItemFailure"/> that says otherwise.</summary>
    public static ItemResult Failed(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return new(ItemResultKind.Failed, null, null, $"{exception.GetType().Name}: {exception.Message}",
            exception is not IItemFailure { Retryable: false }, exception);
    }
}

/// <summary>The kinds of <see cref="ItemResult"/>.</summary>
public enum ItemResultKind
{
    /// <summary>Succeeded with a single result (the next stage, if any, gets that result as its item).</summary>
    Succeeded,

    /// <summary>Succeeded and emitted zero or more items for the next stage.</summary>
    Emitted,

    /// <summary>Failed: retried with the chunk, or failed for good.</summary>
    Failed,

    /// <summary>Not processed because the chunk is stopping: stays pending.</summary>
    Unprocessed,
}
