using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

/// <summary>Pipelines of any depth: nested continuations, fan-out, reruns of a middle stage, cancel, and bad shapes.</summary>
[Collection(EngineTests.Name)]
public sealed class PipelineTests(EngineFixture engine)
{
    private HttpClient Api => engine.Api;

    /// <summary>A continuation whose next stage is <paramref name="workerTypes"/>[0], whose own is [1], and so on.</summary>
    private static object? Chain(string condition, params string[] workerTypes) =>
        workerTypes.Length == 0 ? null : new { condition, next = new { workerType = workerTypes[0], continuation = Chain(condition, workerTypes[1..]) } };

    /// <summary>Waits for every stage of the pipeline of <paramref name="firstId"/> to exist and be final.</summary>
    private async Task<List<BatchView>> WaitStagesAsync(long firstId, int stages)
    {
        var all = new List<BatchView>();
        var id = firstId;
        for (var i = 0; i < stages; i++)
        {
            var batch = await Api.WaitFinalAsync(id);
            all.Add(batch);
            if (i < stages - 1)
            {
                batch = await Eventually.Until(() => Api.GetBatchAsync(id), b => b.Continuation?.NextBatchId is not null,
                    TimeSpan.FromSeconds(30), $"batch {id} to start its next stage");
                id = batch.Continuation!.NextBatchId!.Value;
            }
        }
        return all;
    }

    [Fact]
    public async Task FourStagePipeline_StartsEveryStageOnce_AndEveryStageShowsTheWholeChain()
    {
        var items = Enumerable.Range(0, 7).Select(i => (object)new { value = i }).ToArray();
        var first = await Api.SubmitAsync(new { workerType = "bench", items, continuation = Chain("on_success", "bench-bulk", "bench", "bench-bulk") });

        var stages = await WaitStagesAsync(first.Id, 4);

        stages.ShouldAllBe(stage => stage.State == "succeeded" && stage.TotalItems == 7);
        stages.Select(stage => stage.WorkerType).ShouldBe(["bench", "bench-bulk", "bench", "bench-bulk"]);
        for (var i = 1; i < 4; i++)
        {
            stages[i].ParentBatchId.ShouldBe(stages[i - 1].Id);
            (await engine.Db.ScalarAsync("select count(*) from app.batches where parent_batch_id = @b", ("b", stages[i - 1].Id))).ShouldBe(1);
            (await engine.Db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", stages[i - 1].Id))).ShouldBe(1);
        }
        stages[3].Continuation.ShouldBeNull();
        // Any stage shows the same chain, first stage first.
        foreach (var stage in stages)
        {
            var pipeline = (await Api.GetBatchAsync(stage.Id)).Pipeline.ShouldNotBeNull();
            pipeline.Select(p => p.BatchId).ShouldBe(stages.Select(s => (long?)s.Id));
            pipeline.Select(p => p.WorkerType).ShouldBe(["bench", "bench-bulk", "bench", "bench-bulk"]);
            pipeline.ShouldAllBe(p => p.State == "succeeded" && p.ItemCounts!.Succeeded == 7);
        }
    }

    [Fact]
    public async Task RunningPipeline_ShowsStagesNotCreatedYet_AsPending()
    {
        var first = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(2, new { delayMs = 1_500 }), continuation = Chain("on_success", "bench", "bench-bulk") });

        var pipeline = (await Api.GetBatchAsync(first.Id)).Pipeline.ShouldNotBeNull();

        pipeline.Count.ShouldBe(3);
        pipeline[0].BatchId.ShouldBe(first.Id);
        pipeline.Skip(1).ShouldAllBe(p => p.BatchId == null && p.State == "pending" && p.ItemCounts == null);
        pipeline.Skip(1).Select(p => p.WorkerType).ShouldBe(["bench", "bench-bulk"]);
        await WaitStagesAsync(first.Id, 3);
    }

    [Theory]
    [InlineData("bench")]
    [InlineData("bench-bulk")]
    public async Task FanOut_HandsEachItemsOutputsOnInInputOrder_AndFanInKeepsThatOrder(string workerType)
    {
        // Item n emits n items (item 0 none); item 5 fails and hands nothing on.
        var items = Enumerable.Range(0, 7).Select(i => (object)(i == 5 ? new { emit = i, fail = "always" } : new { emit = i, fail = "never" })).ToArray();
        var first = await Api.SubmitAsync(new { workerType, items, continuation = Chain("on_any_final", workerType, "bench") });

        var stages = await WaitStagesAsync(first.Id, 3);

        var expected = Enumerable.Range(0, 7).Where(i => i != 5).SelectMany(i => Enumerable.Range(0, i).Select(k => $"{i}.{k}")).ToList();
        stages[1].TotalItems.ShouldBe(expected.Count);
        stages[2].TotalItems.ShouldBe(expected.Count); // one result per item: fan-in of the fanned-out items, in order
        var second = await AllItemsAsync(stages[1].Id);
        second.Select(item => JsonDocument.Parse(item.Payload).RootElement.GetProperty("value").GetString()).ShouldBe(expected);
        var third = await AllItemsAsync(stages[2].Id);
        third.Select(item => JsonDocument.Parse(item.Payload).RootElement.GetProperty("value").GetString()).ShouldBe(expected);
    }

    [Fact]
    public async Task RerunOfAMiddleStage_ContinuesTheChainFromThere_OncePerRun()
    {
        // The first stage hands on {fail: "before:3"} and {}: the second stage's first item fails both its attempts, so
        // its on_success continuation is skipped; a rerun succeeds (attempt 3) and the chain goes on from there.
        var first = await Api.SubmitAsync(new
        {
            workerType = "bench", items = new object[] { new { then = new { fail = "before:3" } }, new { then = new { } } },
            continuation = Chain("on_success", "bench", "bench"),
        });
        var firstDone = await WaitStagesAsync(first.Id, 1);
        var middleId = (await Eventually.Until(() => Api.GetBatchAsync(first.Id), b => b.Continuation?.NextBatchId is not null,
            TimeSpan.FromSeconds(30), "the middle stage to start")).Continuation!.NextBatchId!.Value;
        var middle = await Api.WaitFinalAsync(middleId);
        middle.State.ShouldBe("completed_with_failures");
        middle.Continuation!.State.ShouldBe("skipped");
        middle.Pipeline.ShouldNotBeNull().Select(p => p.State).ShouldBe(["succeeded", "completed_with_failures", "not_started"]);

        using var rerun = await Api.PostAsJsonAsync($"/api/batches/{middleId}/rerun", new { scope = "failed" });
        rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted, await rerun.Content.ReadAsStringAsync());
        var again = await Eventually.Until(() => Api.GetBatchAsync(middleId), b => b.Continuation?.NextBatchId is not null,
            TimeSpan.FromSeconds(60), "the rerun middle stage to start the last stage");
        var last = await Api.WaitFinalAsync(again.Continuation!.NextBatchId!.Value);

        again.Run.ShouldBe(2);
        again.State.ShouldBe("succeeded");
        last.ParentBatchId.ShouldBe(middleId);
        last.State.ShouldBe("succeeded");
        last.TotalItems.ShouldBe(2);
        (await engine.Db.ScalarAsync("select count(*) from app.batches where parent_batch_id = @b", ("b", middleId))).ShouldBe(1);
        (await engine.Db.ScalarAsync("select count(*) from app.batches where parent_batch_id = @b", ("b", first.Id))).ShouldBe(1);
        (await engine.Db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", middleId))).ShouldBe(2);
        (await engine.Db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", first.Id))).ShouldBe(1);
        var pipeline = (await Api.GetBatchAsync(first.Id)).Pipeline.ShouldNotBeNull();
        pipeline.Select(p => p.BatchId).ShouldBe([firstDone[0].Id, middleId, last.Id]);
    }

    [Fact]
    public async Task CancellingTheFirstStage_CancelsTheLaterStageStillRunning_AndStartsNoMore()
    {
        // The first stage is quick and hands 40 slow items to the second; the third would follow.
        var first = await Api.SubmitAsync(new
        {
            workerType = "bench", items = BatchApi.Items(40, new { then = new { delayMs = 500 } }),
            continuation = Chain("on_any_final", "bench", "bench"),
        });
        var secondId = (await Eventually.Until(() => Api.GetBatchAsync(first.Id), b => b.Continuation?.NextBatchId is not null,
            TimeSpan.FromSeconds(30), "the second stage to start")).Continuation!.NextBatchId!.Value;
        await Eventually.Until(() => Api.GetBatchAsync(secondId), b => b.ItemCounts.Succeeded > 0, because: "the second stage to run");

        using var cancel = await Api.PostAsync(new Uri($"/api/batches/{first.Id}/cancel", UriKind.Relative), null);

        cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted, await cancel.Content.ReadAsStringAsync());
        var second = await Api.WaitFinalAsync(secondId);
        second.State.ShouldBe("cancelled");
        second.ItemCounts.Cancelled.ShouldBeGreaterThan(0);
        (await Api.GetBatchAsync(first.Id)).State.ShouldBe("succeeded"); // a final stage stays as it ended
        // A cancelled stage starts no next stage, even on_any_final; the pipeline shows it as not started.
        second.ChildBatchIds.ShouldBeEmpty();
        second.Pipeline.ShouldNotBeNull().Select(p => p.State).ShouldBe(["succeeded", "cancelled", "not_started"]);
        using var again = await Api.PostAsync(new Uri($"/api/batches/{first.Id}/cancel", UriKind.Relative), null);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("nope", "continuation.next.continuation.next.workerType")]
    [InlineData("", "continuation.next.continuation.next.workerType")]
    public async Task Submit_RefusesABadStageAtAnyDepth_With400NamingIt(string workerType, string field)
    {
        using var response = await Api.PostAsJsonAsync("/api/batches", new
        {
            workerType = "bench", items = BatchApi.Items(1, new { }),
            continuation = new { next = new { workerType = "bench", continuation = new { next = new { workerType } } } },
        });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
    }

    [Fact]
    public async Task Submit_RefusesBadShapesInNestedStages_With400()
    {
        object Nested(object inner) => new { next = new { workerType = "bench", continuation = inner } };
        var tooDeep = Enumerable.Range(0, 17).Aggregate((object)new { next = new { workerType = "bench" } }, (inner, _) => Nested(inner));
        object[] bodies =
        [
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = tooDeep },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested(new { condition = "sometimes", next = new { workerType = "bench" } }) },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested(new { }) },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested(new { next = new { workerType = "bench", chunkSize = 0 } }) },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested(new { next = new { workerType = "bench", priority = "urgent" } }) },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested(new { webhookUrl = "ftp://example.com/" }) },
            new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = Nested("a string") },
        ];
        foreach (var body in bodies)
        {
            using var response = await Api.PostAsJsonAsync("/api/batches", body);
            ((int)response.StatusCode).ShouldBeInRange(400, 499, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        }
    }

    private async Task<List<ItemView>> AllItemsAsync(long batchId)
    {
        var items = new List<ItemView>();
        for (var page = 1; ; page++)
        {
            var chunk = (await Api.GetFromJsonAsync<Page<ItemView>>($"/api/batches/{batchId}/items?page={page}", BatchApi.Json))!;
            items.AddRange(chunk.Items);
            if (items.Count >= chunk.Total || chunk.Items.Count == 0)
            {
                return items;
            }
        }
    }
}
