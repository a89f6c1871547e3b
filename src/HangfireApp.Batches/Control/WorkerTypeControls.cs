using Hangfire;
using Hangfire.States;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Control;

/// <summary>A worker type's live control state as the API and dashboard show it.</summary>
/// <param name="WorkerType">The worker type's name.</param>
/// <param name="Paused">No chunk of it starts while true.</param>
/// <param name="MaxRunningChunks">The cap in force: the operator's, else the configured one, else null (none).</param>
/// <param name="ConfiguredMaxRunningChunks">The cap from <c>WorkerTypes:&lt;name&gt;:MaxRunningChunks</c>.</param>
/// <param name="UpdatedAt">When an operator last changed it (null: never).</param>
/// <param name="UpdatedBy">Who did.</param>
public sealed record WorkerTypeControl(
    string WorkerType, bool Paused, int? MaxRunningChunks, int? ConfiguredMaxRunningChunks, DateTime? UpdatedAt, string? UpdatedBy);

/// <summary>The worker type is unknown or not enabled; the message says how to enable it.</summary>
public sealed class WorkerTypeNotEnabledException(string message) : Exception(message);

/// <summary>
/// Pause, resume and running-chunk caps of worker types: persisted in <c>app.worker_type_controls</c>, audited in the
/// same transaction, enforced cluster-wide by the chunk claim (<see cref="ChunkGate"/>) and noticed by running chunks
/// through each host's <see cref="ControlSnapshot"/> within <see cref="ControlOptions.RefreshInterval"/>.
/// </summary>
public sealed partial class WorkerTypeControls(
    NpgsqlDataSource dataSource,
    WorkerTypeRegistry workerTypes,
    AuditLog audit,
    JobStorage storage,
    ControlSnapshot snapshot,
    IOptions<SweepOptions> sweeps,
    ILogger<WorkerTypeControls> logger)
{
    public async Task<IReadOnlyList<WorkerTypeControl>> ListAsync(CancellationToken cancellationToken)
    {
        var rows = await ReadRowsAsync(cancellationToken);
        return [.. workerTypes.Enabled.OrderBy(type => type.Name, StringComparer.Ordinal).Select(type => View(type, rows.GetValueOrDefault(type.Name)))];
    }

    public async Task<WorkerTypeControl> GetAsync(string name, CancellationToken cancellationToken)
    {
        var type = Require(name);
        var rows = await ReadRowsAsync(cancellationToken);
        return View(type, rows.GetValueOrDefault(type.Name));
    }

    /// <summary>Pauses a worker type on every host: no chunk of it starts; running ones stop at their next item
    /// (items in flight are interrupted and stay pending) and go back to queued without using up an attempt.</summary>
    public Task<WorkerTypeControl> PauseAsync(string name, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(name, actor, AuditActions.WorkerTypePause, paused: true, cap: null, setCap: false, cancellationToken);

    /// <summary>Resumes a worker type: its waiting chunks are enqueued again at once.</summary>
    public Task<WorkerTypeControl> ResumeAsync(string name, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(name, actor, AuditActions.WorkerTypeResume, paused: false, cap: null, setCap: false, cancellationToken);

    /// <summary>Sets (or with null, clears back to the configured value) the cluster-wide cap on running chunks.</summary>
    public Task<WorkerTypeControl> SetMaxRunningChunksAsync(string name, int? cap, string actor, CancellationToken cancellationToken) =>
        ChangeAsync(name, actor, AuditActions.WorkerTypeCap, paused: null, cap, setCap: true, cancellationToken);

    private async Task<WorkerTypeControl> ChangeAsync(string name, string actor, string action, bool? paused, int? cap, bool setCap, CancellationToken cancellationToken)
    {
        var type = Require(name);
        if (cap is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(cap), cap, "maxRunningChunks must be at least 1, or null for the configured cap.");
        }
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        Row before;
        await using (var read = transaction.Command("select paused, max_running_chunks from app.worker_type_controls where worker_type = @name for update"))
        {
            read.Parameters.AddWithValue("name", type.Name);
            await using var reader = await read.ExecuteReaderAsync(cancellationToken);
            before = await reader.ReadAsync(cancellationToken)
                ? new Row(reader.GetBoolean(0), reader.IsDBNull(1) ? null : reader.GetInt32(1), null, null)
                : new Row(false, null, null, null);
        }
        var after = before with { Paused = paused ?? before.Paused, MaxRunningChunks = setCap ? cap : before.MaxRunningChunks };
        await using (var write = transaction.Command("""
            insert into app.worker_type_controls (worker_type, paused, max_running_chunks, updated_at, updated_by)
            values (@name, @paused, @cap, now(), @actor)
            on conflict (worker_type) do update
            set paused = excluded.paused, max_running_chunks = excluded.max_running_chunks, updated_at = now(), updated_by = excluded.updated_by
            """))
        {
            write.Parameters.AddWithValue("name", type.Name);
            write.Parameters.AddWithValue("paused", after.Paused);
            write.Parameters.AddWithValue("cap", NpgsqlTypes.NpgsqlDbType.Integer, (object?)after.MaxRunningChunks ?? DBNull.Value);
            write.Parameters.AddWithValue("actor", actor);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await audit.RecordAsync(transaction, actor, action, $"worker-type:{type.Name}", new
        {
            paused = new { before = before.Paused, after = after.Paused },
            maxRunningChunks = new
            {
                before = before.MaxRunningChunks ?? type.Options.MaxRunningChunks,
                after = after.MaxRunningChunks ?? type.Options.MaxRunningChunks,
            },
        }, cancellationToken);
        transaction.Complete();
        await transaction.DisposeAsync();
        LogChanged(logger, type.Name, action, actor, after.Paused, after.MaxRunningChunks ?? type.Options.MaxRunningChunks);

        snapshot.Apply(type.Name, after.Paused); // this host at once; the others at their next refresh
        if (!after.Paused)
        {
            await RequeueWaitingAsync(type, cancellationToken);
        }
        return await GetAsync(type.Name, cancellationToken);
    }

    /// <summary>
    /// Enqueues at once the chunk jobs that wait because of a pause or the cap (their Scheduled state's reason says
    /// so), instead of leaving them until their next check. Jobs waiting for a real retry keep their delay.
    /// </summary>
    private async Task RequeueWaitingAsync(WorkerType type, CancellationToken cancellationToken)
    {
        var schema = sweeps.Value.HangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);
        await using var find = dataSource.CreateCommand($"""
            select c.hangfire_job_id, b.priority
            from app.chunks c
            join app.batches b on b.id = c.batch_id
            join "{schema}".job j on j.id = c.hangfire_job_id::bigint
            join "{schema}".state s on s.id = j.stateid
            where c.state = 'queued' and b.worker_type = @type and j.statename = 'Scheduled'
              and (s.reason like '{ChunkGate.PausedPrefix}%' or s.reason like '{ChunkGate.CappedPrefix}%')
            """);
        find.Parameters.AddWithValue("type", type.Name);
        var waiting = new List<(string JobId, string Priority)>();
        await using (var reader = await find.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                waiting.Add((reader.GetString(0), reader.GetString(1)));
            }
        }
        var client = new BackgroundJobClient(storage);
        foreach (var (jobId, priority) in waiting)
        {
            var queue = QueueNames.ForPriority(type.Queue, Priorities.Parse(priority));
            // Only from Scheduled: a job that was enqueued or started meanwhile is left alone.
            client.ChangeState(jobId, new EnqueuedState(queue) { Reason = $"Worker type '{type.Name}' resumed" }, ScheduledState.StateName);
        }
    }

    private WorkerType Require(string name) =>
        workerTypes.TryGet(name, out var type) ? type : throw new WorkerTypeNotEnabledException(workerTypes.WhyNotEnabled(name));

    private static WorkerTypeControl View(WorkerType type, Row? row) =>
        new(type.Name, row?.Paused ?? false, row?.MaxRunningChunks ?? type.Options.MaxRunningChunks, type.Options.MaxRunningChunks, row?.UpdatedAt, row?.UpdatedBy);

    private async Task<Dictionary<string, Row>> ReadRowsAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select worker_type, paused, max_running_chunks, updated_at, updated_by from app.worker_type_controls");
        var rows = new Dictionary<string, Row>(StringComparer.Ordinal);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows[reader.GetString(0)] = new Row(reader.GetBoolean(1), reader.IsDBNull(2) ? null : reader.GetInt32(2),
                reader.GetFieldValue<DateTime>(3), reader.IsDBNull(4) ? null : reader.GetString(4));
        }
        return rows;
    }

    private sealed record Row(bool Paused, int? MaxRunningChunks, DateTime? UpdatedAt, string? UpdatedBy);

    [LoggerMessage(EventId = LogEventIds.WorkerTypeControlsChanged, Level = LogLevel.Warning, Message = "Worker type {WorkerType}: {Action} by {Actor} (paused {Paused}, max running chunks {Cap})")]
    private static partial void LogChanged(ILogger logger, string workerType, string action, string actor, bool paused, int? cap);
}
