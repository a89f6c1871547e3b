using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;
using System.Net.Http.Json;

namespace HangfireApp.Tests.Batches;

public sealed class PriorityTests
{
    [Fact]
    public async Task HighPriorityChunk_StartsBeforeQueuedNormalOnes()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:WorkerCount"] = "1"; // one worker: chunks run strictly one after another
        settings["WorkerTypes:bench:ChunkSize"] = "1";
        await using var app = new AppFactory(database, settings);
        using var api = app.ApiClient();

        var normal = await api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(6, new { delayMs = 300 }), priority = "normal" });
        await Eventually.Until(() => api.GetBatchAsync(normal.Id), b => b.ChunkCounts.Running + b.ChunkCounts.Succeeded > 0, because: "the first normal chunk to start");
        var high = await api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }), priority = "high" });

        await api.WaitFinalAsync(normal.Id);
        await api.WaitFinalAsync(high.Id);
        var highStart = (await api.GetFromJsonAsync<List<ChunkView>>($"/api/batches/{high.Id}/chunks", BatchApi.Json))!.Single().StartedAt!.Value;
        var normalStarts = (await api.GetFromJsonAsync<List<ChunkView>>($"/api/batches/{normal.Id}/chunks", BatchApi.Json))!.Select(c => c.StartedAt!.Value).ToList();
        // Submitted while 5 normal chunks were still queued, the high one overtook at least 4 of them.
        normalStarts.Count(start => start > highStart).ShouldBeGreaterThanOrEqualTo(4);
    }
}
