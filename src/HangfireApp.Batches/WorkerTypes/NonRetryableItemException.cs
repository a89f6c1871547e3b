namespace HangfireApp.Batches.WorkerTypes;

/// <summary>
/// Thrown by a handler when an item failed for good: no retry can change the outcome (e.g. the remote API
/// answered 404 or 400). The item becomes <c>failed</c> at once, with this message as its error, and its chunk
/// does not retry for it; any other exception leaves the item to the chunk's retries. The ready-made
/// <see cref="IItemFailure"/> for handlers that need no exception type of their own.
/// </summary>
public sealed class NonRetryableItemException : Exception, IItemFailure
{
    public bool Retryable => false;

    public NonRetryableItemException()
    {
    }

    public NonRetryableItemException(string message)
        : base(message)
    {
    }

    public NonRetryableItemException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
