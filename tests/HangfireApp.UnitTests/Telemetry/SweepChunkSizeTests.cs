using HangfireApp.Workers.Telemetry;

namespace HangfireApp.UnitTests.Telemetry;

public sealed class SweepChunkSizeTests
{
    [Theory]
    [InlineData(40, 4, 10, 10)]   // the benchmark: two hosts of two workers, one chunk each
    [InlineData(8, 4, 10, 2)]     // a small batch still reaches every worker
    [InlineData(3, 4, 10, 1)]     // fewer matches than workers: one a chunk
    [InlineData(200, 4, 10, 10)]  // a full sweep: chunks of ChunkSize, never larger
    [InlineData(41, 4, 10, 10)]
    [InlineData(12, 0, 10, 10)]   // no job server registered yet: ChunkSize
    [InlineData(1, 1, 1, 1)]
    public void ChunkSizeFor_SpreadsTheMatchesOverTheWorkers_UpToChunkSize(int matches, int workers, int maxChunkSize, int expected) =>
        PendingMatchesSweep.ChunkSizeFor(matches, workers, maxChunkSize).ShouldBe(expected);
}
