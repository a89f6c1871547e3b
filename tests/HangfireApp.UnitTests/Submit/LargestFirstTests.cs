using CsCheck;
using HangfireApp.Batches.Submit;

namespace HangfireApp.UnitTests.Submit;

public sealed class LargestFirstTests
{
    private static readonly Gen<(long[] Costs, int ChunkSize)> Batches =
        Gen.Select(Gen.Long[0, 1_000_000].Array[0, 120], Gen.Int[1, 30]);

    [Fact]
    public void Order_KeepsEveryItem_AndRunsEachChunkLargestFirst() =>
        Batches.Sample((costs, chunkSize) =>
        {
            var items = costs.Select((cost, index) => (Cost: cost, Index: index)).ToArray();

            var ordered = LargestFirst.Order(items, item => item.Cost, chunkSize);

            ordered.Select(item => item.Index).Order().ShouldBe(Enumerable.Range(0, items.Length));
            foreach (var chunk in ordered.Chunk(chunkSize))
            {
                chunk.Select(item => item.Cost).ShouldBe(chunk.Select(item => item.Cost).OrderDescending());
            }
        });

    [Fact]
    public void Order_BalancesTheFullChunks_WithinTheLargestItem() =>
        Batches.Sample((costs, chunkSize) =>
        {
            var totals = LargestFirst.Order(costs, cost => cost, chunkSize).Chunk(chunkSize)
                .Where(chunk => chunk.Length == chunkSize).Select(chunk => chunk.Sum()).ToArray();
            if (totals.Length > 1)
            {
                (totals.Max() - totals.Min()).ShouldBeLessThanOrEqualTo(costs.Max());
            }
        });

    [Fact]
    public void Order_StartsEachChunkWithOneOfTheLargest_AndEvensTheChunks_ForTheBenchmarksBatch()
    {
        // The telemetry benchmark's batch: forty matches, chunks of ten (one per worker of two hosts with two each).
        var costs = Enumerable.Range(1, 40).Select(size => (long)size).ToArray();

        var chunks = LargestFirst.Order(costs, cost => cost, 10).Chunk(10).ToArray();

        chunks.Select(chunk => chunk[0]).ShouldBe([40L, 39L, 38L, 37L]);
        chunks.Select(chunk => chunk.Sum()).ShouldBe([205L, 205L, 205L, 205L]);
    }

    [Fact]
    public void Order_KeepsTheOrderOfEqualCosts()
    {
        LargestFirst.Order(["a", "b", "c", "d"], _ => 7, chunkSize: 4).ShouldBe(["a", "b", "c", "d"]);
    }
}
