using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Metrics;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Batches.Control;

/// <summary>
/// Thrown by a chunk's claim when its worker type is paused or at its running-chunk cap: nothing was claimed (no
/// attempt used, the chunk stays queued), and <see cref="ChunkRetryFilter"/> turns the job into a Scheduled one
/// that looks again after <see cref="ChunkRetryException.Delay"/>.
/// </summary>
public sealed class ChunkDeferredException(string message, TimeSpan delay) : ChunkRetryException(message, delay);

/// <summary>
/// The check in the chunk claim, in the claim's own transaction, so it holds on every host: a chunk of a paused
/// worker type does not start; nor does one whose worker type already runs its cap of chunks. The cap is counted
/// under a transaction-scoped advisory lock per worker type, so two hosts cannot both take the last slot: the
/// lock is held until the claim (which makes the chunk <c>running</c>) commits.
/// </summary>
public sealed class ChunkGate(WorkerTypeRegistry workerTypes, EngineMetrics metrics, IOptions<ControlOptions> options)
{
    /// <summary>Starts the Scheduled state's reason of a chunk held back by a pause (resume looks for it).</summary>
    public const string PausedPrefix = "Paused:";

    /// <summary>Starts the Scheduled state's reason of a chunk held back by the cap.</summary>
    public const string CappedPrefix = "Capped:";

    /// <summary>Throws <see cref="ChunkDeferredException"/> when the chunk must wait; returns when it may be claimed
    /// (or cannot be claimed by this job at all, which the claim itself then finds), with how long it has been
    /// queued (null when it was running already: a re-claim after a shutdown).</summary>
    public async Task<TimeSpan?> CheckAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long chunkId, string jobId, CancellationToken cancellationToken)
    {
        string workerType;
        bool paused;
        int? cap;
        TimeSpan? waited;
        await using (var read = new NpgsqlCommand("""
            select b.worker_type, coalesce(w.paused, false), w.max_running_chunks,
                   case when c.state = 'queued' then greatest(extract(epoch from now() - coalesce(c.heartbeat_at, b.created_at)), 0)::float8 end
            from app.chunks c
            join app.batches b on b.id = c.batch_id
            left join app.worker_type_controls w on w.worker_type = b.worker_type
            where c.id = @id and c.hangfire_job_id = @job and c.state in ('queued', 'running') and b.cancel_requested_at is null
            """, connection, transaction))
        {
            read.Parameters.AddWithValue("id", chunkId);
            read.Parameters.AddWithValue("job", jobId);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            if (!await reader.ReadAsync(cancellationToken))
            {
                return null; // final, cancelled (closing it must not wait) or owned by another job: the claim decides
            }
            workerType = reader.GetString(0);
            paused = reader.GetBoolean(1);
            cap = reader.IsDBNull(2) ? null : reader.GetInt32(2);
            waited = reader.IsDBNull(3) ? null : TimeSpan.FromSeconds(reader.GetDouble(3));
        }
        if (paused)
        {
            metrics.CountDeferred(workerType, DeferReasons.Paused);
            throw new ChunkDeferredException(
                $"{PausedPrefix} worker type '{workerType}' is paused; the chunk waits without using an attempt and is enqueued again when it is resumed",
                options.Value.PausedRecheck);
        }
        cap ??= workerTypes.TryGet(workerType, out var type) ? type.Options.MaxRunningChunks : null;
        if (cap is not { } limit)
        {
            return waited;
        }
        await using var count = new NpgsqlCommand("""
            select pg_advisory_xact_lock(hashtextextended('hangfireapp.max_running_chunks.' || @type, 0));
            select count(*) from app.chunks c join app.batches b on b.id = c.batch_id
            where c.state = 'running' and b.worker_type = @type and c.id <> @id;
            """, connection, transaction);
        count.Parameters.AddWithValue("type", workerType);
        count.Parameters.AddWithValue("id", chunkId);
        long running;
        await using (var reader = await count.ExecuteReaderAsync(cancellationToken))
        {
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            running = reader.GetInt64(0);
        }
        if (running >= limit)
        {
            metrics.CountDeferred(workerType, DeferReasons.Capped);
            var recheck = options.Value.CappedRecheck;
            var delay = recheck + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * recheck.TotalMilliseconds / 2);
            throw new ChunkDeferredException(
                $"{CappedPrefix} {running} '{workerType}' chunks are running, the most allowed at once is {limit}; the chunk waits without using an attempt and tries again in {delay.TotalSeconds:0.#} s",
                delay);
        }
        return waited;
    }
}
