using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Batches.Control;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Operations;

[Collection(OperationsTests.Name)]
public sealed class ControlTests(OperationsFixture host)
{
    private HttpClient Api => host.Api;

    [Fact]
    public async Task Pause_KeepsChunksQueuedWithoutUsingAttempts_AndResumeRunsThemAll()
    {
        (await PostAsync("/api/worker-types/bench/pause")).Paused.ShouldBeTrue();
        long batchId;
        try
        {
            var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(25, new { }) });
            batchId = batch.Id;
            // Every chunk job is deferred by the claim: Scheduled with the pause as its reason, the chunk still queued.
            await Eventually.Until(() => host.Db.ScalarAsync("""
                select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
                join hangfire.state s on s.id = j.stateid
                where c.batch_id = @b and c.state = 'queued' and c.attempt = 0 and j.statename = 'Scheduled' and s.reason like 'Paused:%'
                """, ("b", batchId)), count => count == 3, because: "the three chunks to wait for the resume");
            (await Api.GetBatchAsync(batchId)).ItemCounts.Succeeded.ShouldBe(0);
        }
        finally
        {
            (await PostAsync("/api/worker-types/bench/resume")).Paused.ShouldBeFalse();
        }

        var done = await Api.WaitFinalAsync(batchId, TimeSpan.FromSeconds(30));
        done.State.ShouldBe("succeeded");
        (await host.Db.ScalarAsync("select max(attempt) from app.chunks where batch_id = @b", ("b", batchId))).ShouldBe(1);
        (await host.Db.ScalarAsync("select count(*) from app.audit_log where action in ('worker_type.pause', 'worker_type.resume') and target = 'worker-type:bench' and details is not null"))
            .ShouldBeGreaterThanOrEqualTo(2);
    }

    [Fact]
    public async Task Pause_StopsARunningChunkAtItsNextItem_AndNothingIsLost()
    {
        var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(10, new { delayMs = 400 }) });
        await Eventually.Until(() => host.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and state = 'succeeded'", ("b", batch.Id)),
            count => count >= 1, because: "the chunk to be running");
        try
        {
            await PostAsync("/api/worker-types/bench/pause");
            // The running chunk stops: back to queued, its attempt given back, waiting for the resume.
            await Eventually.Until(() => host.Db.ScalarAsync("""
                select count(*) from app.chunks c join hangfire.job j on j.id = c.hangfire_job_id::bigint
                where c.batch_id = @b and c.state = 'queued' and c.attempt = 0 and j.statename in ('Scheduled', 'Enqueued')
                """, ("b", batch.Id)), count => count == 1, because: "the running chunk to stop and wait");
            var paused = await Api.GetBatchAsync(batch.Id);
            paused.ItemCounts.Succeeded.ShouldBeLessThan(10);
        }
        finally
        {
            await PostAsync("/api/worker-types/bench/resume");
        }
        var done = await Api.WaitFinalAsync(batch.Id);
        done.State.ShouldBe("succeeded");
        done.ItemCounts.Succeeded.ShouldBe(10);
        done.ShouldMatchItems(await host.Db.ItemStatesAsync(batch.Id));
    }

    [Fact]
    public async Task MaxRunningChunks_IsNeverExceeded_AndCanBeChangedLive()
    {
        (await PutAsync("/api/worker-types/bench", new { maxRunningChunks = 1 })).MaxRunningChunks.ShouldBe(1);
        try
        {
            var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(40, new { delayMs = 100 }) });
            var maxSeen = 0L;
            await Eventually.Until(async () =>
            {
                var running = await host.Db.ScalarAsync("select count(*) from app.chunks where batch_id = @b and state = 'running'", ("b", batch.Id));
                maxSeen = Math.Max(maxSeen, running);
                return await Api.GetBatchAsync(batch.Id);
            }, b => b.State == "succeeded", TimeSpan.FromSeconds(60), "the capped batch to finish");
            maxSeen.ShouldBeLessThanOrEqualTo(1);
            (await host.Db.ScalarAsync("select max(attempt) from app.chunks where batch_id = @b", ("b", batch.Id))).ShouldBe(1);
        }
        finally
        {
            (await PutAsync("/api/worker-types/bench", new { maxRunningChunks = (int?)null })).MaxRunningChunks.ShouldBeNull();
        }
    }

    [Fact]
    public async Task UnknownOrDisabledWorkerType_Is404_SayingHowToEnableIt()
    {
        using var response = await Api.PostAsync(new Uri("/api/worker-types/scrape/pause", UriKind.Relative), null);
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("WorkerTypes:scrape:Enabled=true");
        using var submit = await Api.PostAsJsonAsync("/api/batches", new { workerType = "nope", items = BatchApi.Items(1, new { }) });
        submit.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await submit.Content.ReadAsStringAsync()).ShouldContain("WorkerTypes:<name>:Enabled=true");
        using var viewer = host.App.ApiClient(EngineFixture.ViewerKey);
        (await viewer.PostAsync(new Uri("/api/worker-types/bench/pause", UriKind.Relative), null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task WorkerCount_ChangesLive_WithoutLosingARunningChunk()
    {
        var name = OperationsFixture.ServerName;
        var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(40, new { delayMs = 150 }) });
        await Eventually.Until(() => host.Db.ScalarAsync("select count(*) from app.chunks where batch_id = @b and state = 'running'", ("b", batch.Id)),
            count => count >= 1, because: "chunks to be running");
        try
        {
            using var put = await Api.PutAsJsonAsync($"/api/servers/{name}", new { workerCount = 2 });
            put.StatusCode.ShouldBe(HttpStatusCode.Accepted, await put.Content.ReadAsStringAsync());
            await Eventually.Until(() => ServersAsync(), servers => servers.Any(s => s.Name.StartsWith(name + ":", StringComparison.Ordinal) && s.WorkerCount == 2)
                && !servers.Any(s => s.Name.StartsWith(name + ":", StringComparison.Ordinal) && s.WorkerCount == 4), TimeSpan.FromSeconds(30), "the server to run with 2 workers");

            var done = await Api.WaitFinalAsync(batch.Id);
            done.State.ShouldBe("succeeded");
            done.ItemCounts.Succeeded.ShouldBe(40);
            done.ShouldMatchItems(await host.Db.ItemStatesAsync(batch.Id));
            (await host.Db.ScalarAsync("select max(attempt) from app.chunks where batch_id = @b", ("b", batch.Id))).ShouldBe(1);
            (await host.Db.ScalarAsync("select count(*) from app.audit_log where action = 'server.worker_count' and target = @t", ("t", $"server:{name}"))).ShouldBe(1);
        }
        finally
        {
            using var back = await Api.PutAsJsonAsync($"/api/servers/{name}", new { workerCount = 4 });
            await Eventually.Until(() => ServersAsync(), servers => servers.Any(s => s.Name.StartsWith(name + ":", StringComparison.Ordinal) && s.WorkerCount == 4)
                && !servers.Any(s => s.Name.StartsWith(name + ":", StringComparison.Ordinal) && s.WorkerCount == 2), TimeSpan.FromSeconds(30), "the server to be back at 4");
        }
    }

    [Fact]
    public async Task AChunkRetry_StaysOnItsPriorityQueue()
    {
        var batch = await Api.SubmitAsync(new { workerType = "bench", priority = "high", items = new object[] { new { fail = "once" } } });
        (await Api.WaitFinalAsync(batch.Id)).State.ShouldBe("succeeded");
        var queues = await host.Db.ScalarAsync("""
            select count(distinct s.data ->> 'Queue') from app.chunks c join hangfire.state s on s.jobid = c.hangfire_job_id::bigint
            where c.batch_id = @b and s.name = 'Enqueued' and s.data ->> 'Queue' <> 'bench-1-high'
            """, ("b", batch.Id));
        queues.ShouldBe(0, "every Enqueued state of the chunk's job, the retry's included, is on bench-1-high");
        (await host.Db.ScalarAsync("""
            select count(*) from app.chunks c join hangfire.state s on s.jobid = c.hangfire_job_id::bigint
            where c.batch_id = @b and s.name = 'Enqueued'
            """, ("b", batch.Id))).ShouldBe(2);
    }

    private async Task<List<ServerRow>> ServersAsync() => (await Api.GetFromJsonAsync<List<ServerRow>>("/api/servers", BatchApi.Json))!;

    private async Task<WorkerTypeControl> PostAsync(string path)
    {
        using var response = await Api.PostAsync(new Uri(path, UriKind.Relative), null);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<WorkerTypeControl>(text, BatchApi.Json)!;
    }

    private async Task<WorkerTypeControl> PutAsync(string path, object body)
    {
        using var response = await Api.PutAsJsonAsync(path, body);
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return JsonSerializer.Deserialize<WorkerTypeControl>(text, BatchApi.Json)!;
    }

    private sealed record ServerRow(string Name, int WorkerCount);
}
