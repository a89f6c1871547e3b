using System.Net;
using System.Net.Http.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

[Collection(EngineTests.Name)]
public sealed class BatchLifecycleTests(EngineFixture engine)
{
    private HttpClient Api => engine.Api;

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task Submit_RunsEveryItemOnce_AndCountersEqualItemStates(string workerType)
    {
        var submitted = await Api.SubmitAsync(new { workerType, items = BatchApi.Items(95, new { }), description = "plain" });
        submitted.TotalItems.ShouldBe(95);
        // Ten chunks; a worker may already have claimed one by the time the 202 reads the batch back.
        var chunks = submitted.ChunkCounts;
        (chunks.Queued + chunks.Running + chunks.Succeeded + chunks.CompletedWithFailures + chunks.Failed + chunks.Cancelled).ShouldBe(10);

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("succeeded");
        batch.Progress.ShouldBe(1);
        batch.ChunkCounts.Succeeded.ShouldBe(10);
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        (await engine.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and attempts = 1 and state = 'succeeded'", ("b", batch.Id))).ShouldBe(95);
        // Every chunk's job exists in Hangfire and succeeds.
        await Eventually.Until(() => engine.Db.ScalarAsync("""
            select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
            where c.batch_id = @b and j.statename = 'Succeeded'
            """, ("b", batch.Id)), count => count == 10, TimeSpan.FromSeconds(10), "every chunk job to succeed");
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task FailOnce_SucceedsOnRetry_AndTheRetryProcessesOnlyUnfinishedItems(string workerType)
    {
        var items = Enumerable.Range(0, 10).Select(i => (object)(i % 2 == 0 ? new { fail = "once" } : new { fail = "never" })).ToArray();
        var submitted = await Api.SubmitAsync(new { workerType, items });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("succeeded");
        batch.ItemCounts.Succeeded.ShouldBe(10);
        var page = await Api.GetFromJsonAsync<Page<ItemView>>($"/api/batches/{batch.Id}/items", BatchApi.Json);
        foreach (var item in page!.Items)
        {
            // Items that failed once ran twice; the others ran once: the retry skipped what had succeeded.
            item.Attempts.ShouldBe(item.ItemNo % 2 == 0 ? 2 : 1, $"item {item.ItemNo}");
            item.Result!.ShouldContain($"\"attempt\": {item.Attempts}");
        }
        var chunk = (await Api.GetFromJsonAsync<List<ChunkView>>($"/api/batches/{batch.Id}/chunks", BatchApi.Json))!.Single();
        chunk.Attempt.ShouldBe(2);
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task FailAlways_EndsCompletedWithFailures_WithErrorsGroupedByFingerprint(string workerType)
    {
        var items = Enumerable.Range(0, 20).Select(i => (object)(i < 15 ? new { fail = "always" } : new { fail = "never" })).ToArray();
        var submitted = await Api.SubmitAsync(new { workerType, items });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("completed_with_failures");
        batch.ItemCounts.Failed.ShouldBe(15);
        batch.ItemCounts.Succeeded.ShouldBe(5);
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        var errors = await Api.GetFromJsonAsync<List<ErrorGroupView>>($"/api/batches/{batch.Id}/errors", BatchApi.Json);
        // 15 messages differ in their item numbers; their fingerprint does not.
        var group = errors.ShouldHaveSingleItem();
        group.Count.ShouldBe(15);
        group.Fingerprint.ShouldBe("InvalidOperationException: Bench item <n> failed on attempt <n> as asked (<value>)");
        group.ExampleError.ShouldContain("Bench item 0 failed on attempt 2");
        (await engine.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and state = 'failed' and attempts = 2", ("b", batch.Id))).ShouldBe(15);
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task AllItemsFailing_EndsFailed_AndTheHangfireJobIsNotLeftFailed(string workerType)
    {
        var submitted = await Api.SubmitAsync(new { workerType, items = BatchApi.Items(3, new { fail = "always" }) });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("failed");
        batch.ChunkCounts.Failed.ShouldBe(1);
        // The job returns right after the transaction that made the batch final; Hangfire then marks it Succeeded.
        await Eventually.Until(() => engine.Db.ScalarAsync("""
            select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
            where c.batch_id = @b and j.statename = 'Succeeded'
            """, ("b", batch.Id)), count => count == 1, TimeSpan.FromSeconds(10), "the chunk job to succeed");
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task ItemOverItsTimeout_FailsWithATimeout(string workerType)
    {
        var submitted = await Api.SubmitAsync(new { workerType, items = new object[] { new { delayMs = 10_000 }, new { } } });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("completed_with_failures");
        var errors = await Api.GetFromJsonAsync<List<ErrorGroupView>>($"/api/batches/{batch.Id}/errors", BatchApi.Json);
        errors.ShouldHaveSingleItem().ExampleError.ShouldStartWith("TimeoutException: Item timed out after 3 s");
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task RerunFailed_ReprocessesOnlyFailedItems_AndFiresTheContinuationAgain(string workerType)
    {
        var items = Enumerable.Range(0, 12).Select(i => (object)(i < 4 ? new { fail = "always" } : new { fail = "never" })).ToArray();
        var submitted = await Api.SubmitAsync(new
        {
            workerType, items,
            continuation = new { condition = "on_any_final", next = new { workerType } },
        });
        var first = await Api.WaitFinalAsync(submitted.Id);
        first.State.ShouldBe("completed_with_failures");
        first.Continuation!.NextBatchId.ShouldNotBeNull();

        using var rerun = await Api.PostAsJsonAsync($"/api/batches/{first.Id}/rerun", new { scope = "failed" });
        rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted, await rerun.Content.ReadAsStringAsync());
        var second = await Api.WaitFinalAsync(first.Id);

        second.Run.ShouldBe(2);
        second.State.ShouldBe("completed_with_failures");
        second.ShouldMatchItems(await engine.Db.ItemStatesAsync(second.Id));
        // Failed items ran twice more (2 attempts per run); succeeded items were not touched.
        (await engine.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and item_no < 4 and attempts = 4", ("b", second.Id))).ShouldBe(4);
        (await engine.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and item_no >= 4 and attempts = 1", ("b", second.Id))).ShouldBe(8);
        (await engine.Db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", second.Id))).ShouldBe(2);
        second.Continuation!.NextBatchId.ShouldNotBe(first.Continuation.NextBatchId);
        second.ChildBatchIds.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Rerun_IsRefused_WhileTheBatchRuns_AndForUnknownScopes()
    {
        var submitted = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(4, new { delayMs = 1500 }) });

        using var early = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "failed" });
        early.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        using var badScope = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "some" });
        badScope.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await Api.WaitFinalAsync(submitted.Id);
        using var nothing = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "failed" });
        nothing.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        using var all = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "all" });
        all.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        (await Api.WaitFinalAsync(submitted.Id)).ItemCounts.Succeeded.ShouldBe(4);
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task Cancel_StopsRunningChunks_CancelsQueuedOnes_AndEndsCancelled(string workerType)
    {
        // 200 items of 400 ms in 20 chunks, 4 in flight per chunk, 4 workers: about 6 s in all.
        var submitted = await Api.SubmitAsync(new { workerType, items = BatchApi.Items(200, new { delayMs = 400 }) });
        await Eventually.Until(() => Api.GetBatchAsync(submitted.Id), b => b.ItemCounts.Succeeded > 0, because: "some items to finish");

        using var cancel = await Api.PostAsync(new Uri($"/api/batches/{submitted.Id}/cancel", UriKind.Relative), null);
        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var batch = await Api.WaitFinalAsync(submitted.Id, TimeSpan.FromSeconds(20));

        batch.State.ShouldBe("cancelled");
        batch.ItemCounts.Cancelled.ShouldBeGreaterThan(100);
        batch.ItemCounts.Succeeded.ShouldBeLessThan(100);
        (batch.ItemCounts.Succeeded + batch.ItemCounts.Cancelled).ShouldBe(200);
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        // Queued chunks never started: their jobs were deleted.
        (await engine.Db.ScalarAsync("""
            select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
            where c.batch_id = @b and c.started_at is null and j.statename <> 'Deleted'
            """, ("b", batch.Id))).ShouldBe(0);
        using var again = await Api.PostAsync(new Uri($"/api/batches/{submitted.Id}/cancel", UriKind.Relative), null);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Submit_WithTheSameIdempotencyKey_ReturnsTheSameBatch()
    {
        var key = $"key-{Guid.NewGuid()}";
        var body = new { workerType = "bench", items = BatchApi.Items(3, new { }) };

        var first = await Api.SubmitAsync(body, key);
        using var repeat = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(body) };
        repeat.Headers.Add("Idempotency-Key", key);
        using var response = await Api.SendAsync(repeat);
        using var different = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(new { workerType = "bench", items = BatchApi.Items(4, new { }) }) };
        different.Headers.Add("Idempotency-Key", key);
        using var conflict = await Api.SendAsync(different);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadFromJsonAsync<BatchView>(BatchApi.Json))!.Id.ShouldBe(first.Id);
        conflict.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        (await engine.Db.ScalarAsync("select count(*) from app.batches where idempotency_key = @k", ("k", key))).ShouldBe(1);
    }

    [Fact]
    public async Task PipelineContinuation_StartsOneChildBatchOfTheResults_ExactlyOnce()
    {
        var items = Enumerable.Range(0, 25).Select(i => (object)new { value = i, fail = i == 3 ? "always" : "never" }).ToArray();
        var submitted = await Api.SubmitAsync(new
        {
            workerType = "bench", items,
            continuation = new { condition = "on_any_final", next = new { workerType = "bench", chunkSize = 7, priority = "high" } },
        });

        var parent = await Api.WaitFinalAsync(submitted.Id);
        var childId = parent.Continuation!.NextBatchId!.Value;
        var child = await Api.WaitFinalAsync(childId);

        parent.Continuation.State.ShouldBe("started");
        child.ParentBatchId.ShouldBe(parent.Id);
        child.TotalItems.ShouldBe(24);
        child.Priority.ShouldBe("high");
        child.ChunkCounts.Succeeded.ShouldBe(4);
        child.State.ShouldBe("succeeded");
        (await engine.Db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", parent.Id))).ShouldBe(1);
        (await engine.Db.ScalarAsync("select count(*) from app.batches where parent_batch_id = @b", ("b", parent.Id))).ShouldBe(1);
        // The child's items are the parent's results in input order (item 3 failed and is left out).
        var page = await Api.GetFromJsonAsync<Page<ItemView>>($"/api/batches/{childId}/items", BatchApi.Json);
        page!.Items[3].Payload.ShouldContain("\"value\": 4");
    }

    [Fact]
    public async Task OnSuccessContinuation_IsSkipped_WhenItemsFailed()
    {
        var submitted = await Api.SubmitAsync(new
        {
            workerType = "bench", items = new object[] { new { fail = "always" }, new { } },
            continuation = new { next = new { workerType = "bench" } },
        });

        var batch = await Api.WaitFinalAsync(submitted.Id);

        batch.Continuation!.State.ShouldBe("skipped");
        batch.Continuation.NextBatchId.ShouldBeNull();
        batch.ChildBatchIds.ShouldBeEmpty();
    }
}
