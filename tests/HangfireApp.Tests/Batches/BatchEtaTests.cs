using System.Net;
using System.Net.Http.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

/// <summary>Issue 9 point 2: a batch whose rate rounds to zero took GET, the list, cancel and rerun down with a 500.</summary>
[Collection(EngineTests.Name)]
public sealed class BatchEtaTests(EngineFixture engine)
{
    private HttpClient Api => engine.Api;

    [Fact]
    public async Task Rerun_OfAnOldBatch_AnswersTheBatch_AndTheListStillReads()
    {
        // Item 1 fails both attempts of the first run and succeeds on the rerun, slowly enough to read it running.
        var submitted = await Api.SubmitAsync(new { workerType = "bench", items = new object[] { new { }, new { fail = "before:3", delayMs = 1500 } } });
        (await Api.WaitFinalAsync(submitted.Id)).State.ShouldBe("completed_with_failures");
        // Its first run took a month: one item done in 30 days of active time is a rate of 0.0 items/s.
        await engine.Db.ScalarAsync("update app.batches set active_seconds = active_seconds + 30 * 86400 where id = @b returning id", ("b", submitted.Id));

        using var rerun = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "failed" });
        var rerunText = await rerun.Content.ReadAsStringAsync();
        using var one = await Api.GetAsync(new Uri($"/api/batches/{submitted.Id}", UriKind.Relative));
        using var list = await Api.GetAsync(new Uri("/api/batches?workerType=bench", UriKind.Relative));

        rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted, rerunText);
        one.StatusCode.ShouldBe(HttpStatusCode.OK, await one.Content.ReadAsStringAsync());
        list.StatusCode.ShouldBe(HttpStatusCode.OK, await list.Content.ReadAsStringAsync());
        var running = (await one.Content.ReadFromJsonAsync<BatchView>(BatchApi.Json))!;
        running.ItemsPerSecond.ShouldBe(0);
        (running.Eta is null || running.Eta <= BatchEstimate.Longest).ShouldBeTrue();
        (await Api.WaitFinalAsync(submitted.Id)).State.ShouldBe("succeeded");
    }

    [Fact]
    public async Task ItemsPerSecond_OfARerunBatch_IsOverItsRuns_NotTheMonthBetweenThem()
    {
        var submitted = await Api.SubmitAsync(new { workerType = "bench", items = new object[] { new { }, new { fail = "before:3" } } });
        var first = await Api.WaitFinalAsync(submitted.Id);
        first.ActiveTime.ShouldNotBeNull();
        first.ActiveTime.Value.ShouldBe(first.FinishedAt!.Value - first.StartedAt!.Value, TimeSpan.FromMilliseconds(1));
        // It ran a month ago.
        await engine.Db.ScalarAsync("""
            update app.batches set created_at = created_at - interval '30 days', started_at = started_at - interval '30 days',
                finished_at = finished_at - interval '30 days'
            where id = @b returning id
            """, ("b", submitted.Id));

        using var rerun = await Api.PostAsJsonAsync($"/api/batches/{submitted.Id}/rerun", new { scope = "failed" });
        rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var second = await Api.WaitFinalAsync(submitted.Id);

        second.State.ShouldBe("succeeded");
        // Both runs' time and nothing of the month between them (each run here takes well under a day).
        second.ActiveTime.ShouldNotBeNull();
        second.ActiveTime.Value.ShouldBeGreaterThan(first.ActiveTime.Value);
        second.ActiveTime.Value.ShouldBeLessThan(TimeSpan.FromDays(1));
        second.ItemsPerSecond.ShouldBe(Math.Round(2 / second.ActiveTime.Value.TotalSeconds, 1));
        (second.FinishedAt!.Value - second.StartedAt!.Value).ShouldBeGreaterThan(TimeSpan.FromDays(29));
    }
}
