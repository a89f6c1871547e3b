using System.Text.Json;
using HangfireApp.Batches.WorkerTypes;

namespace HangfireApp.Workers.Bench;

/// <summary>
/// The bulk variant of <see cref="BenchHandler"/> (worker type <c>bench-bulk</c>): the same payloads and the same
/// behaviour per item, called a slice at a time, so that the engine's invariant tests run against both handler kinds
/// and the benchmark can measure the bulk path. A slice's items run concurrently (one call, many items); an item
/// interrupted by its token is reported <see cref="ItemResult.Unprocessed"/>. Its setup and teardown write console
/// lines, and a slice refuses to run without exactly one setup before it, so tests see both ran.
/// </summary>
public sealed class BenchBulkHandler : IBulkItemHandler
{
    public const string Name = "bench-bulk";

    private int _opened;

    public ValueTask OpenChunkAsync(IChunkContext chunk, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _opened);
        chunk.Console.WriteLine($"bench-bulk: chunk {chunk.ChunkId} opened");
        return ValueTask.CompletedTask;
    }

    public async ValueTask<IReadOnlyList<ItemResult>> HandleSliceAsync(IReadOnlyList<WorkItem> slice, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _opened) != 1)
        {
            throw new InvalidOperationException("HandleSliceAsync ran without exactly one OpenChunkAsync before it.");
        }
        return await Task.WhenAll(slice.Select(item => RunAsync(item, cancellationToken)));
    }

    public ValueTask CloseChunkAsync(IChunkContext chunk, CancellationToken cancellationToken)
    {
        chunk.Console.WriteLine($"bench-bulk: chunk {chunk.ChunkId} closed");
        return ValueTask.CompletedTask;
    }

    private static async Task<ItemResult> RunAsync(WorkItem item, CancellationToken cancellationToken)
    {
        try
        {
            var payload = item.Payload.Deserialize<BenchPayload>(ItemHandler<BenchPayload, BenchResult>.Json)
                ?? throw new InvalidDataException($"Item {item.ItemNo} has an empty payload.");
            return await BenchHandler.RunAsync(payload, item, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The chunk is stopping or the slice's deadline passed: the engine tells which, and keeps the other items' outcomes.
            return ItemResult.Unprocessed;
        }
        catch (Exception e)
        {
            return ItemResult.Failed(e);
        }
    }
}
