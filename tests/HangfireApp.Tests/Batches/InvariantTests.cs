using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.Sweeps;
using HangfireApp.Tests.Infrastructure;
using Hangfire;
using Npgsql;

namespace HangfireApp.Tests.Batches;

/// <summary>
/// Invariants checked on a host that runs no job servers (role web), so chunk jobs stay queued and the
/// test can act as the worker, step by step.
/// </summary>
public sealed class InvariantTests : IAsyncLifetime
{
    private TestDatabase _database = null!;
    private AppFactory _app = null!;
    private NpgsqlDataSource _db = null!;
    private HttpClient _api = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _app = new AppFactory(_database, EngineFixture.EngineSettings(role: "web"));
        _api = _app.ApiClient();
        _db = _database.CreateDataSource();
        await _api.GetAsync(new Uri("/health/live", UriKind.Relative));
    }

    public async ValueTask DisposeAsync()
    {
        _api.Dispose();
        await _app.DisposeAsync();
        await _db.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Submit_IsAtomic_NoBatchItemsChunksOrJobsSurviveAFailureAfterTheJobsWereCreated()
    {
        // Make the very last write of a submit (recording the chunks' job ids) fail, after the
        // batch, its items, its chunks and its Hangfire jobs were all written.
        await using (var trap = _db.CreateCommand("""
            create function app.explode() returns trigger language plpgsql as $$
            begin
                if new.hangfire_job_id is not null and exists (select 1 from app.batches where id = new.batch_id and description = 'explode') then
                    raise exception 'simulated crash mid-submit';
                end if;
                return new;
            end $$;
            create trigger explode before update on app.chunks for each row execute function app.explode();
            """))
        {
            await trap.ExecuteNonQueryAsync();
        }
        var batches = await _db.ScalarAsync("select count(*) from app.batches");
        var items = await _db.ScalarAsync("select count(*) from app.items");
        var chunks = await _db.ScalarAsync("select count(*) from app.chunks");
        var jobs = await _db.ScalarAsync("select count(*) from hangfire.job");

        var submitter = _app.Service<BatchSubmitter>();
        var failure = await Should.ThrowAsync<PostgresException>(() => submitter.SubmitAsync(
            new SubmitBatch("bench", [.. Enumerable.Range(0, 50).Select(_ => System.Text.Json.JsonDocument.Parse("{}").RootElement)], Description: "explode"),
            CancellationToken.None));

        failure.MessageText.ShouldBe("simulated crash mid-submit");
        (await _db.ScalarAsync("select count(*) from app.batches")).ShouldBe(batches);
        (await _db.ScalarAsync("select count(*) from app.items")).ShouldBe(items);
        (await _db.ScalarAsync("select count(*) from app.chunks")).ShouldBe(chunks);
        (await _db.ScalarAsync("select count(*) from hangfire.job")).ShouldBe(jobs);
        (await _db.ScalarAsync("select count(*) from hangfire.jobqueue")).ShouldBe(0);

        // And a normal submit writes all of it together.
        var ok = await _api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(50, new { }) });
        (await _db.ScalarAsync("select count(*) from app.chunks where batch_id = @b and hangfire_job_id is not null", ("b", ok.Id))).ShouldBe(5);
        (await _db.ScalarAsync("""
            select count(*) from app.chunks c join hangfire.jobqueue q on q.jobid = c.hangfire_job_id::bigint
            where c.batch_id = @b and q.queue = 'bench-2-normal'
            """, ("b", ok.Id))).ShouldBe(5);
    }

    [Fact]
    public async Task RescuedChunk_RejectsEveryWriteOfItsOldWorker()
    {
        var batch = await _api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(10, new { }) });
        var store = _app.Service<ChunkStore>();
        var (chunkId, jobId) = await ChunkOfAsync(batch.Id);
        var oldClaim = (await store.ClaimAsync(chunkId, jobId, CancellationToken.None))!;
        oldClaim.Epoch.ShouldBe(1);

        // The worker goes silent; the sweep rescues its chunk under a new epoch and a new job.
        await using (var stall = _db.CreateCommand("update app.chunks set heartbeat_at = now() - interval '1 hour' where id = @c"))
        {
            stall.Parameters.AddWithValue("c", chunkId);
            await stall.ExecuteNonQueryAsync();
        }
        (await _app.Service<StalledChunksSweep>().RescueAsync(CancellationToken.None)).ShouldBe(1);
        var (_, newJobId) = await ChunkOfAsync(batch.Id);
        newJobId.ShouldNotBe(jobId);

        // The old worker wakes up and tries to write: every write is refused, nothing changes.
        var outcomes = Enumerable.Range(0, 10).Select(i => new ItemOutcome(i, "succeeded", "{}", null, null)).ToList();
        (await store.FlushAsync(oldClaim, outcomes, CancellationToken.None)).Lost.ShouldBeTrue();
        (await store.HeartbeatAsync(oldClaim, CancellationToken.None)).Lost.ShouldBeTrue();
        (await _app.Service<ChunkFinisher>().FinishAsync(oldClaim, ChunkEnd.Final, null, CancellationToken.None)).ShouldBeFalse();
        (await _db.ScalarAsync("select count(*) from app.items where batch_id = @b and state = 'pending' and attempts = 0", ("b", batch.Id))).ShouldBe(10);
        (await _db.ScalarAsync("select lease_epoch from app.chunks where id = @c", ("c", chunkId))).ShouldBe(2);
        // The old job can no longer even claim the chunk; the new one can.
        (await store.ClaimAsync(chunkId, jobId, CancellationToken.None)).ShouldBeNull();
        (await store.ClaimAsync(chunkId, newJobId, CancellationToken.None))!.Epoch.ShouldBe(3);
        (await _db.ScalarAsync("select count(*) from hangfire.job where id = @j and statename = 'Deleted'", ("j", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture)))).ShouldBe(1);
    }

    [Fact]
    public async Task RescuedChunk_WhoseJobWasDeleted_GetsANewJob()
    {
        var batch = await _api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(3, new { }) });
        var (chunkId, jobId) = await ChunkOfAsync(batch.Id);
        new BackgroundJobClient(_app.Service<JobStorage>()).Delete(jobId);
        await using (var age = _db.CreateCommand("update app.chunks set heartbeat_at = now() - interval '1 minute' where id = @c"))
        {
            age.Parameters.AddWithValue("c", chunkId);
            await age.ExecuteNonQueryAsync();
        }

        (await _app.Service<StalledChunksSweep>().RescueAsync(CancellationToken.None)).ShouldBe(1);

        var (_, newJobId) = await ChunkOfAsync(batch.Id);
        newJobId.ShouldNotBe(jobId);
        (await _db.ScalarAsync("select count(*) from hangfire.job where id = @j and statename = 'Enqueued'", ("j", long.Parse(newJobId, System.Globalization.CultureInfo.InvariantCulture)))).ShouldBe(1);
    }

    private async Task<(long ChunkId, string JobId)> ChunkOfAsync(long batchId)
    {
        await using var command = _db.CreateCommand("select id, hangfire_job_id from app.chunks where batch_id = @b order by id limit 1");
        command.Parameters.AddWithValue("b", batchId);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetString(1));
    }
}
