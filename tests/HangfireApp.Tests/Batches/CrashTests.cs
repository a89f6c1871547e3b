using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

public sealed class CrashTests
{
    [Fact]
    public async Task KilledWorkerProcess_LosesNoItem_AndTheContinuationFiresOnce()
    {
        await using var database = await TestDatabase.CreateAsync();
        // The API host runs no job servers; workers are separate OS processes on the same database.
        await using var web = new AppFactory(database, EngineFixture.EngineSettings(role: "web"));
        using var api = web.ApiClient();
        var workerSettings = EngineFixture.EngineSettings(role: "worker")
            .Where(setting => setting.Value is not null)
            .ToDictionary(setting => setting.Key, setting => setting.Value!);
        workerSettings["ConnectionStrings:Postgres"] = database.ConnectionString;
        workerSettings["Auth:BootstrapAdminKey"] = AppFactory.AdminKey;
        await using var doomed = HostProcess.Start(workerSettings);
        await doomed.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));

        // 400 items of 150 ms: 40 chunks, 4 workers × 4 in flight — about 4 s of work.
        var batch = await api.SubmitAsync(new
        {
            workerType = "bench", items = BatchApi.Items(400, new { delayMs = 150 }),
            continuation = new { next = new { workerType = "bench" } },
        });
        // Kill it mid-chunk: with items done and others in flight (chunks tend to finish in step).
        await Eventually.Until(() => api.GetBatchAsync(batch.Id), b => b.ItemCounts.Succeeded >= 40 && b.ItemCounts.Running >= 10,
            because: "the worker to be mid-way through chunks");
        doomed.Kill();
        await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var atKill = await api.GetBatchAsync(batch.Id);
        atKill.State.ShouldBe("running");
        atKill.ChunkCounts.Running.ShouldBeGreaterThan(0);

        await using var rescuer = HostProcess.Start(workerSettings);
        var final = await api.WaitFinalAsync(batch.Id, TimeSpan.FromSeconds(90));

        final.State.ShouldBe("succeeded", rescuer.Output);
        final.ItemCounts.Succeeded.ShouldBe(400);
        final.ShouldMatchItems(await web.Database.CreateDataSource().ItemStatesAsync(batch.Id));
        await using var db = database.CreateDataSource();
        (await db.ScalarAsync("select count(*) from app.items where batch_id = @b and state = 'succeeded' and finished_at is not null", ("b", batch.Id))).ShouldBe(400);
        (await db.ScalarAsync("select count(*) from app.continuations where batch_id = @b", ("b", batch.Id))).ShouldBe(1);
        (await db.ScalarAsync("select count(*) from app.batches where parent_batch_id = @b", ("b", batch.Id))).ShouldBe(1);
        // The rescued chunks ran under a newer epoch than their first claim.
        (await db.ScalarAsync("select count(*) from app.chunks where batch_id = @b and lease_epoch > 1", ("b", batch.Id))).ShouldBeGreaterThan(0);
        rescuer.Output.ShouldContain("rescued");
        // Every line logged inside a job carries the job's id (compact JSON outside Development).
        var chunkLines = rescuer.Output.Split('\n').Where(line => line.Contains("\"Chunk {ChunkId} of batch", StringComparison.Ordinal) || line.Contains("\"@m\":\"Chunk ", StringComparison.Ordinal)).ToList();
        chunkLines.ShouldNotBeEmpty();
        chunkLines.ShouldAllBe(line => line.Contains("\"JobId\":\"", StringComparison.Ordinal));
    }
}
