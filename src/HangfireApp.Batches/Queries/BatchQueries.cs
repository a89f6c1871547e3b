using System.Text.Json;
using HangfireApp.Batches.Submit;
using Npgsql;
using HangfireApp.Batches.States;

namespace HangfireApp.Batches.Queries;

/// <summary>Read side of batches for the API and the dashboard.</summary>
public sealed class BatchQueries(NpgsqlDataSource dataSource)
{
    private const string BatchSelect = """
        select b.id, b.worker_type, b.state, b.priority, b.description, b.total_items, b.run_no,
               b.created_at, b.started_at, b.finished_at, b.cancel_requested_at is not null, b.parent_batch_id, b.continuation::text,
               coalesce(sum(c.succeeded_items), 0), coalesce(sum(c.failed_items), 0), coalesce(sum(c.cancelled_items), 0),
               coalesce(sum(c.item_count - c.succeeded_items - c.failed_items - c.cancelled_items) filter (where c.state = 'running'), 0),
               count(*) filter (where c.state = 'queued'), count(*) filter (where c.state = 'running'),
               count(*) filter (where c.state = 'succeeded'), count(*) filter (where c.state = 'completed_with_failures'),
               count(*) filter (where c.state = 'failed'), count(*) filter (where c.state = 'cancelled'),
               (select array_agg(k.id order by k.id) from app.batches k where k.parent_batch_id = b.id),
               (select n.state from app.continuations n where n.batch_id = b.id order by n.run_no desc limit 1),
               (select n.next_batch_id from app.continuations n where n.batch_id = b.id order by n.run_no desc limit 1),
               (select n.webhook_state from app.continuations n where n.batch_id = b.id order by n.run_no desc limit 1),
               b.active_seconds, b.run_started_at
        from app.batches b left join app.chunks c on c.batch_id = b.id
        """;

    /// <summary>One batch with its chunk counts, continuation and, when it is part of a pipeline, the whole pipeline.</summary>
    public async Task<BatchView?> GetAsync(long batchId, CancellationToken cancellationToken)
    {
        BatchView batch;
        await using (var command = dataSource.CreateCommand($"{BatchSelect} where b.id = @id group by b.id"))
        {
            command.Parameters.AddWithValue("id", batchId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null;
            }
            batch = ReadBatch(reader);
        }
        var inPipeline = batch.ParentBatchId is not null || batch.ChildBatchIds.Count > 0 || batch.Continuation is not null;
        return inPipeline ? batch with { Pipeline = await PipelineAsync(batchId, cancellationToken) } : batch;
    }

    /// <summary>
    /// The pipeline of <paramref name="batchId"/>: its ancestors up to the first stage, itself, then its latest child
    /// (the current run's) at every level below, then the stages its continuation still describes but nobody created yet.
    /// </summary>
    public async Task<IReadOnlyList<PipelineStageView>> PipelineAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            with recursive up as (
                select id, parent_batch_id, 0 as depth from app.batches where id = @id
                union all
                select b.id, b.parent_batch_id, up.depth - 1 from app.batches b join up on b.id = up.parent_batch_id
                where up.depth > -{MaxStages}
            ), down as (
                select id, 0 as depth from app.batches where id = @id
                union all
                select c.id, d.depth + 1 from down d
                cross join lateral (select k.id from app.batches k where k.parent_batch_id = d.id order by k.id desc limit 1) c
                where d.depth < {MaxStages}
            ), chain as (
                select id, depth from up union select id, depth from down
            )
            select b.id, b.worker_type, b.state, b.total_items, b.continuation::text,
                   coalesce(sum(c.succeeded_items), 0), coalesce(sum(c.failed_items), 0), coalesce(sum(c.cancelled_items), 0),
                   coalesce(sum(c.item_count - c.succeeded_items - c.failed_items - c.cancelled_items) filter (where c.state = 'running'), 0)
            from chain ch join app.batches b on b.id = ch.id left join app.chunks c on c.batch_id = b.id
            group by ch.depth, b.id
            order by ch.depth
            """);
        command.Parameters.AddWithValue("id", batchId);
        var stages = new List<PipelineStageView>();
        string? lastState = null;
        string? lastContinuation = null;
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var total = reader.GetInt32(3);
                var (succeeded, failed, cancelled, running) = (reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8));
                lastState = reader.GetString(2);
                lastContinuation = reader.IsDBNull(4) ? null : reader.GetString(4);
                stages.Add(new PipelineStageView(reader.GetString(1), reader.GetInt64(0), lastState,
                    new ItemCounts(total - succeeded - failed - cancelled - running, running, succeeded, failed, cancelled)));
            }
        }
        if (lastContinuation is not null)
        {
            var planned = lastState is not null && !BatchStates.IsFinal(lastState) ? "pending" : "not_started";
            var spec = JsonSerializer.Deserialize<ContinuationJson>(lastContinuation, ContinuationJson.Options)!.ToSpec();
            foreach (var (next, _, _) in spec.Stages())
            {
                stages.Add(new PipelineStageView(next.WorkerType, null, planned, null));
            }
        }
        return stages;
    }

    /// <summary>A bound on the stages a pipeline query walks, whatever the data: the deepest pipeline a submit allows, and then some.</summary>
    private const int MaxStages = 4 * ContinuationSpec.MaxDepth;

    public async Task<Page<BatchView>> ListAsync(string? state, string? workerType, int page, int pageSize, CancellationToken cancellationToken)
    {
        const string Filter = "where (@state::text is null or b.state = @state) and (@type::text is null or b.worker_type = @type)";
        await using var command = dataSource.CreateCommand($"""
            {BatchSelect}
            where b.id in (select b.id from app.batches b {Filter} order by b.id desc limit @limit offset @offset)
            group by b.id order by b.id desc
            """);
        AddFilter(command, state, workerType);
        command.Parameters.AddWithValue("limit", pageSize);
        command.Parameters.AddWithValue("offset", (page - 1) * pageSize);
        var batches = new List<BatchView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                batches.Add(ReadBatch(reader));
            }
        }
        await using var count = dataSource.CreateCommand($"select count(*) from app.batches b {Filter}");
        AddFilter(count, state, workerType);
        return new Page<BatchView>(batches, page, pageSize, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    public async Task<Page<ItemView>> ItemsAsync(long batchId, string? state, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select item_no, state, attempts, payload::text, result::text, error from app.items
            where batch_id = @batch and (@state::text is null or state = @state)
            order by item_no limit @limit offset @offset
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("state", (object?)state ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", pageSize);
        command.Parameters.AddWithValue("offset", (page - 1) * pageSize);
        var items = new List<ItemView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new ItemView(reader.GetInt32(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }
        }
        await using var count = dataSource.CreateCommand("select count(*) from app.items where batch_id = @batch and (@state::text is null or state = @state)");
        count.Parameters.AddWithValue("batch", batchId);
        count.Parameters.AddWithValue("state", (object?)state ?? DBNull.Value);
        return new Page<ItemView>(items, page, pageSize, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>Failed items grouped by error fingerprint, largest group first, with one example each.</summary>
    public async Task<IReadOnlyList<ErrorGroupView>> ErrorsAsync(long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select error_fingerprint, count(*), (array_agg(error order by item_no))[1], min(item_no)
            from app.items where batch_id = @batch and state = 'failed'
            group by error_fingerprint order by count(*) desc, error_fingerprint limit 100
            """);
        command.Parameters.AddWithValue("batch", batchId);
        var groups = new List<ErrorGroupView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            groups.Add(new ErrorGroupView(reader.IsDBNull(0) ? "(none)" : reader.GetString(0), reader.GetInt64(1),
                reader.IsDBNull(2) ? "" : reader.GetString(2), reader.GetInt32(3)));
        }
        return groups;
    }

    public async Task<IReadOnlyList<ChunkView>> ChunksAsync(long batchId, CancellationToken cancellationToken) =>
        await ReadChunksAsync(batchId, limit: null, offset: 0, cancellationToken);

    /// <summary>One page of a batch's chunks in chunk order: a 100,000-item batch of small chunks has thousands.</summary>
    public async Task<Page<ChunkView>> ChunksPageAsync(long batchId, int page, int pageSize, CancellationToken cancellationToken)
    {
        var chunks = await ReadChunksAsync(batchId, pageSize, (page - 1) * pageSize, cancellationToken);
        await using var count = dataSource.CreateCommand("select count(*) from app.chunks where batch_id = @batch");
        count.Parameters.AddWithValue("batch", batchId);
        return new Page<ChunkView>(chunks, page, pageSize, (long)(await count.ExecuteScalarAsync(cancellationToken))!);
    }

    /// <summary>
    /// Per worker type: chunks waiting and running now, and about how many items finished within
    /// <paramref name="window"/>: the items of chunks that ended in the window plus those running chunks have done
    /// so far. Counted from chunk counters (one row per chunk, not per item) of batches that are open or ended in the
    /// window; a chunk that began before the window counts whole, which is close enough while chunks are short.
    /// </summary>
    public async Task<IReadOnlyList<WorkerTypeActivityView>> WorkerTypeActivityAsync(TimeSpan window, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with open_chunks as (
                select b.worker_type,
                       count(*) filter (where c.state = 'queued') as queued,
                       count(*) filter (where c.state = 'running') as running
                from app.chunks c join app.batches b on b.id = c.batch_id
                where c.state in ('queued', 'running')
                group by b.worker_type
            ), recent as (
                select b.worker_type, sum(c.succeeded_items + c.failed_items + c.cancelled_items) as items
                from app.batches b join app.chunks c on c.batch_id = b.id
                where (b.state in ('created', 'running') or b.finished_at > now() - @window)
                  and (c.state = 'running' or c.finished_at > now() - @window)
                group by b.worker_type
            )
            select coalesce(o.worker_type, r.worker_type), coalesce(o.queued, 0), coalesce(o.running, 0), coalesce(r.items, 0)::bigint
            from open_chunks o full join recent r on r.worker_type = o.worker_type
            """);
        command.Parameters.AddWithValue("window", window);
        var activity = new List<WorkerTypeActivityView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var items = reader.GetInt64(3);
            activity.Add(new WorkerTypeActivityView(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), items,
                Math.Round(items / window.TotalSeconds, 1)));
        }
        return activity;
    }

    private async Task<List<ChunkView>> ReadChunksAsync(long batchId, int? limit, int offset, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, chunk_no, first_item, item_count, state, attempt, lease_epoch, hangfire_job_id, heartbeat_at,
                   started_at, finished_at, succeeded_items, failed_items, cancelled_items, last_error
            from app.chunks where batch_id = @batch order by chunk_no limit @limit offset @offset
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("limit", NpgsqlTypes.NpgsqlDbType.Integer, (object?)limit ?? DBNull.Value);
        command.Parameters.AddWithValue("offset", offset);
        var chunks = new List<ChunkView>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            chunks.Add(new ChunkView(reader.GetInt64(0), reader.GetInt32(1), reader.GetInt32(2), reader.GetInt32(3), reader.GetString(4),
                reader.GetInt32(5), reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), NullableTime(reader, 8),
                NullableTime(reader, 9), NullableTime(reader, 10), reader.GetInt32(11), reader.GetInt32(12), reader.GetInt32(13),
                reader.IsDBNull(14) ? null : reader.GetString(14)));
        }
        return chunks;
    }

    private static void AddFilter(NpgsqlCommand command, string? state, string? workerType)
    {
        command.Parameters.AddWithValue("state", (object?)state ?? DBNull.Value);
        command.Parameters.AddWithValue("type", (object?)workerType ?? DBNull.Value);
    }

    private static DateTime? NullableTime(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetDateTime(ordinal);

    private static BatchView ReadBatch(NpgsqlDataReader reader)
    {
        var total = reader.GetInt32(5);
        var (succeeded, failed, cancelled, running) = (reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16));
        var done = succeeded + failed + cancelled;
        var startedAt = NullableTime(reader, 8);
        var finishedAt = NullableTime(reader, 9);
        var activeTime = BatchEstimate.ActiveTime(reader.GetDouble(27), NullableTime(reader, 28), DateTime.UtcNow);
        var (rate, eta) = BatchEstimate.Of(total, done, activeTime, BatchStates.IsFinal(reader.GetString(2)));
        ContinuationView? continuation = null;
        if (!reader.IsDBNull(12))
        {
            var spec = JsonSerializer.Deserialize<ContinuationJson>(reader.GetString(12), ContinuationJson.Options)!;
            // While a batch (re)runs, its continuation for this run is still to come.
            var open = !BatchStates.IsFinal(reader.GetString(2));
            continuation = new ContinuationView(spec.Condition,
                open || reader.IsDBNull(24) ? "pending" : reader.GetString(24),
                open || reader.IsDBNull(25) ? null : reader.GetInt64(25), spec.WebhookUrl,
                open || reader.IsDBNull(26) ? null : reader.GetString(26));
        }
        return new BatchView(
            reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4),
            total, reader.GetInt32(6),
            new ItemCounts(total - done - running, running, succeeded, failed, cancelled),
            new ChunkCounts(reader.GetInt64(17), reader.GetInt64(18), reader.GetInt64(19), reader.GetInt64(20), reader.GetInt64(21), reader.GetInt64(22)),
            total == 0 ? 1 : Math.Round((double)done / total, 4), rate, eta,
            reader.GetDateTime(7), startedAt, finishedAt, reader.GetBoolean(10), reader.IsDBNull(11) ? null : reader.GetInt64(11),
            reader.IsDBNull(23) ? [] : reader.GetFieldValue<long[]>(23), continuation, activeTime);
    }
}
