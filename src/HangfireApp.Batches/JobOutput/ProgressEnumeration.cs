namespace HangfireApp.Batches.JobOutput;

/// <summary>Advances a progress bar while a sequence is enumerated.</summary>
public static class ProgressEnumeration
{
    /// <summary>
    /// Yields <paramref name="items"/> and moves <paramref name="bar"/> to <c>100 × done / count</c> after each
    /// one, and to 100 at the end. <paramref name="count"/> defaults to the collection's count when it has one;
    /// without a count the bar only reaches 100 at the end.
    /// </summary>
    public static IEnumerable<T> WithProgress<T>(this IEnumerable<T> items, IProgressBar bar, int? count = null)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(bar);
        var total = count ?? (items.TryGetNonEnumeratedCount(out var known) ? known : 0);
        return Enumerate(items, bar, total);
    }

    /// <summary>The asynchronous form of <see cref="WithProgress{T}(IEnumerable{T}, IProgressBar, int?)"/>; the count must be given.</summary>
    public static IAsyncEnumerable<T> WithProgress<T>(this IAsyncEnumerable<T> items, IProgressBar bar, int count)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(bar);
        return EnumerateAsync(items, bar, count);
    }

    private static IEnumerable<T> Enumerate<T>(IEnumerable<T> items, IProgressBar bar, int total)
    {
        bar.Set(0);
        var done = 0;
        foreach (var item in items)
        {
            yield return item;
            done++;
            if (total > 0)
            {
                bar.Set(100.0 * Math.Min(done, total) / total);
            }
        }
        bar.Set(100);
    }

    private static async IAsyncEnumerable<T> EnumerateAsync<T>(IAsyncEnumerable<T> items, IProgressBar bar, int total,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bar.Set(0);
        var done = 0;
        await foreach (var item in items.WithCancellation(cancellationToken))
        {
            yield return item;
            done++;
            if (total > 0)
            {
                bar.Set(100.0 * Math.Min(done, total) / total);
            }
        }
        bar.Set(100);
    }
}
