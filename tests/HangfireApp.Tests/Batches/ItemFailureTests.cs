using System.Net.Http.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

/// <summary>The handler contract's two ways to steer failures: a non-retryable item failure, and a chunk stop.</summary>
[Collection(EngineTests.Name)]
public sealed class ItemFailureTests(EngineFixture engine)
{
    private HttpClient Api => engine.Api;

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task NonRetryableFailure_FailsTheItemForGoodAtOnce_WhileOthersAreRetried(string workerType)
    {
        object[] items = [new { fail = "permanent" }, new { fail = "once" }, new { }];
        var submitted = await Api.SubmitAsync(new { workerType, items });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("completed_with_failures");
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        var page = (await Api.GetFromJsonAsync<Page<ItemView>>($"/api/batches/{batch.Id}/items", BatchApi.Json))!.Items;
        page[0].State.ShouldBe("failed");
        page[0].Attempts.ShouldBe(1); // not retried, although the chunk ran twice
        page[0].Error!.ShouldContain("failed for good");
        page[1].State.ShouldBe("succeeded");
        page[1].Attempts.ShouldBe(2);
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task RequestStop_LeavesUnrunItemsForLater_AndOnTheLastAttemptGivesTheAttemptBackInsteadOfFailingThem(string workerType)
    {
        // One chunk of 10, 4 in flight, 2 attempts, 1 s apart. Item 0 fails and stops the chunk at once; items 1-3
        // are interrupted, 4-9 never start. Run 1 finished nothing for good: it uses attempt 1. Run 2 (the last
        // attempt) fails item 0 for good and stops again: it gives its attempt back, and run 3 runs items 1-9.
        object[] items = [new { fail = "always", stop = true }, .. Enumerable.Repeat<object>(new { delayMs = 300 }, 9)];
        var submitted = await Api.SubmitAsync(new { workerType, items });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("completed_with_failures");
        batch.ItemCounts.Failed.ShouldBe(1);
        batch.ItemCounts.Succeeded.ShouldBe(9);
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        var page = (await Api.GetFromJsonAsync<Page<ItemView>>($"/api/batches/{batch.Id}/items", BatchApi.Json))!.Items;
        page[0].Attempts.ShouldBe(2);
        page.Skip(1).ShouldAllBe(item => item.State == "succeeded" && item.Attempts == 1);
        var chunk = (await Api.GetFromJsonAsync<List<ChunkView>>($"/api/batches/{batch.Id}/chunks", BatchApi.Json))!.Single();
        chunk.Attempt.ShouldBe(2);
        chunk.State.ShouldBe("completed_with_failures");
    }
}
