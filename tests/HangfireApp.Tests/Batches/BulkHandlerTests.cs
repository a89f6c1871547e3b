using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

/// <summary>What only a bulk handler has: per-chunk setup and teardown, and slices. The invariants it shares with
/// per-item handlers run against both kinds in <see cref="BatchLifecycleTests"/> and <see cref="ItemFailureTests"/>.</summary>
[Collection(EngineTests.Name)]
public sealed class BulkHandlerTests(EngineFixture engine)
{
    [Fact]
    public async Task EveryChunkRun_OpensOnceBeforeItsSlices_AndClosesOnceAfterThem()
    {
        // Two chunks of 10 (slices of 4): the first fails item 0 once, so it runs twice; the second runs once.
        object[] items = [new { fail = "once" }, .. Enumerable.Repeat<object>(new { }, 19)];
        var submitted = await engine.Api.SubmitAsync(new { workerType = "bench-bulk", items });

        var batch = await engine.Api.WaitFinalAsync(submitted.Id);

        batch.State.ShouldBe("succeeded");
        batch.ShouldMatchItems(await engine.Db.ItemStatesAsync(batch.Id));
        // One console section per run; each has exactly one "opened" and one "closed" line, opened first.
        // The console is flushed when the job ends, just after the transaction that made the batch final.
        await Eventually.Until(() => engine.Db.ScalarAsync("""
            select count(*) from app.console_sections s join app.chunks c on c.hangfire_job_id::bigint = s.job_id
            where c.batch_id = @b and exists (select 1 from app.console_lines l where l.section_id = s.id and l.text like 'bench-bulk: chunk % closed')
            """, ("b", batch.Id)), count => count == 3, TimeSpan.FromSeconds(10), "every run's console to be flushed");
        (await engine.Db.ScalarAsync("""
            select count(*) from app.console_sections s join app.chunks c on c.hangfire_job_id::bigint = s.job_id
            where c.batch_id = @b
              and (select count(*) from app.console_lines l where l.section_id = s.id and l.text like 'bench-bulk: chunk % opened') = 1
              and (select count(*) from app.console_lines l where l.section_id = s.id and l.text like 'bench-bulk: chunk % closed') = 1
              and (select min(l.id) from app.console_lines l where l.section_id = s.id and l.text like 'bench-bulk: chunk % opened')
                < (select min(l.id) from app.console_lines l where l.section_id = s.id and l.text like 'bench-bulk: chunk % closed')
            """, ("b", batch.Id))).ShouldBe(3);
        // The retry ran only item 0: the other nine of its chunk succeeded on the first run.
        (await engine.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and attempts = 2", ("b", batch.Id))).ShouldBe(1);
    }
}
