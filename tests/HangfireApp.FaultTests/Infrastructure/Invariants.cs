using Npgsql;

namespace HangfireApp.FaultTests.Infrastructure;

/// <summary>
/// The engine's invariants, read from the tables after a fault: every item final exactly once, counters equal to
/// item states, the continuation created once, and nothing half-written anywhere in the database.
/// </summary>
public static class Invariants
{
    /// <summary>Checks <paramref name="batchId"/> and the batch its continuation started, then the whole database.</summary>
    public static async Task CheckAsync(FaultFixture fixture, long batchId)
    {
        await using var connection = new NpgsqlConnection(fixture.ConnectionString());
        await connection.OpenAsync();
        var child = await CheckBatchAsync(connection, batchId);
        child.ShouldNotBeNull($"batch {batchId}'s continuation started no batch");
        (await CheckBatchAsync(connection, child.Value)).ShouldBeNull($"batch {child} has no continuation of its own");
        await CheckNothingHalfWrittenAsync(connection);
    }

    /// <summary>One batch: final and succeeded, each item final once, counters = items, its continuation once.
    /// Returns the batch its continuation started, if any.</summary>
    private static async Task<long?> CheckBatchAsync(NpgsqlConnection connection, long batchId)
    {
        var row = await RowAsync(connection, """
            select b.state, b.total_items,
                   (select count(*) from app.items i where i.batch_id = b.id),
                   (select count(*) from app.items i where i.batch_id = b.id and i.state = 'succeeded' and i.finished_at is not null),
                   (select count(*) from app.items i where i.batch_id = b.id and i.state in ('pending', 'running')),
                   (select coalesce(sum(c.succeeded_items), 0) from app.chunks c where c.batch_id = b.id),
                   (select coalesce(sum(c.failed_items + c.cancelled_items), 0) from app.chunks c where c.batch_id = b.id),
                   (select count(*) from app.chunks c where c.batch_id = b.id and c.state <> 'succeeded'),
                   (select coalesce(sum(c.item_count), 0) from app.chunks c where c.batch_id = b.id),
                   (select count(*) from app.continuations k where k.batch_id = b.id and k.run_no = b.run_no),
                   (select count(*) from app.batches n where n.parent_batch_id = b.id),
                   (select min(n.id) from app.batches n where n.parent_batch_id = b.id),
                   b.continuation is not null
            from app.batches b where b.id = @b
            """, batchId);
        var (state, total) = ((string)row[0], Convert.ToInt64(row[1]));
        state.ShouldBe("succeeded", $"batch {batchId}");
        Convert.ToInt64(row[2]).ShouldBe(total, $"batch {batchId}: item rows");
        Convert.ToInt64(row[3]).ShouldBe(total, $"batch {batchId}: items succeeded with a finish time");
        Convert.ToInt64(row[4]).ShouldBe(0, $"batch {batchId}: items left open");
        Convert.ToInt64(row[5]).ShouldBe(total, $"batch {batchId}: chunk counters of succeeded items");
        Convert.ToInt64(row[6]).ShouldBe(0, $"batch {batchId}: chunk counters of failed or cancelled items");
        Convert.ToInt64(row[7]).ShouldBe(0, $"batch {batchId}: chunks not succeeded");
        Convert.ToInt64(row[8]).ShouldBe(total, $"batch {batchId}: items covered by chunks");
        var hasContinuation = (bool)row[12];
        Convert.ToInt64(row[9]).ShouldBe(hasContinuation ? 1 : 0, $"batch {batchId}: continuations of its run");
        Convert.ToInt64(row[10]).ShouldBe(hasContinuation ? 1 : 0, $"batch {batchId}: batches its continuation started");
        return row[11] is DBNull ? null : Convert.ToInt64(row[11]);
    }

    /// <summary>Every batch in the database has all its item rows, chunks covering them, and a job for each open chunk;
    /// no continuation fired twice.</summary>
    private static async Task CheckNothingHalfWrittenAsync(NpgsqlConnection connection)
    {
        var row = await RowAsync(connection, """
            select
              (select count(*) from app.batches b
               where b.total_items <> (select count(*) from app.items i where i.batch_id = b.id)
                  or b.total_items <> (select coalesce(sum(c.item_count), 0) from app.chunks c where c.batch_id = b.id)),
              (select count(*) from app.chunks c
               where c.state in ('queued', 'running')
                 and not exists (select 1 from hangfire.job j where j.id = c.hangfire_job_id::bigint)),
              (select count(*) from (select batch_id, run_no from app.continuations group by 1, 2 having count(*) > 1) twice),
              (select count(*) from app.items i where not exists (select 1 from app.batches b where b.id = i.batch_id))
            """, null);
        Convert.ToInt64(row[0]).ShouldBe(0, "batches whose items or chunks are incomplete");
        Convert.ToInt64(row[1]).ShouldBe(0, "open chunks without a Hangfire job");
        Convert.ToInt64(row[2]).ShouldBe(0, "continuations created twice");
        Convert.ToInt64(row[3]).ShouldBe(0, "items without a batch");
    }

    private static async Task<object[]> RowAsync(NpgsqlConnection connection, string sql, long? batchId)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        if (batchId is not null)
        {
            command.Parameters.AddWithValue("b", batchId.Value);
        }
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        var values = new object[reader.FieldCount];
        reader.GetValues(values);
        return values;
    }
}
