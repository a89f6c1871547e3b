namespace HangfireApp.Batches.Submit;

/// <summary>
/// Orders a batch's items, when their costs differ widely and are known up front, for the engine's chunks (items
/// [0, n) cut into contiguous runs of the chunk size): sorted by cost, largest first, and dealt to the chunks back and
/// forth (0, 1, …, c−1, c−1, …, 1, 0, 0, 1, …), a full chunk skipped. Each chunk then runs its largest items first, so
/// a batch does not end waiting on a large item begun last, and the chunks' totals come out close, so the hosts
/// sharing a batch finish together. Longest-processing-time-first scheduling, for chunks whose items are fixed when
/// the batch is created.
/// </summary>
public static class LargestFirst
{
    public static IReadOnlyList<T> Order<T>(IReadOnlyList<T> items, Func<T, long> cost, int chunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        var chunkCount = (items.Count + chunkSize - 1) / chunkSize;
        var chunks = new List<T>[chunkCount];
        for (var c = 0; c < chunkCount; c++)
        {
            chunks[c] = [];
        }
        int Room(int c) => Math.Min(chunkSize, items.Count - c * chunkSize) - chunks[c].Count;
        var chunk = 0;
        var step = 1;
        void Advance()
        {
            // Back and forth: the end chunks take two in a row, which evens out the chunks' totals.
            if (chunk + step < 0 || chunk + step >= chunkCount)
            {
                step = -step;
            }
            else
            {
                chunk += step;
            }
        }
        foreach (var item in items.OrderByDescending(cost)) // stable: equal costs keep their order
        {
            while (Room(chunk) == 0)
            {
                Advance();
            }
            chunks[chunk].Add(item);
            Advance();
        }
        return [.. chunks.SelectMany(dealt => dealt)];
    }
}
