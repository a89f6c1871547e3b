using System.Collections.Concurrent;
using System.Data;
using System.Globalization;
using Hangfire.PostgreSql;
using Hangfire.Storage;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.Logging;
using HangfireApp.Batches.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Batches.Storage;

/// <summary>
/// Wakes one idle worker of a queue per process when a job is enqueued on it; Hangfire.PostgreSql wakes them all.
/// <para>
/// The library's fetch opens a <c>LISTEN</c> connection for every waiting worker, on one channel for every queue, so one
/// enqueue made every idle worker of every process run a fetch (on two hosts, 8–18 fetches within 5 ms of each
/// notification, measured with <c>pg_stat_statements</c>), the housekeeping servers' workers included. Here a process
/// keeps one listening connection; an enqueue notifies with its queue's name; the listener wakes one waiting worker of
/// that queue; a worker that took a job and saw another ready behind it wakes the next. A burst of jobs is then taken by
/// as many workers as it has jobs, with a fetch or two per process that find nothing (besides the one each worker makes
/// as it ends a job). A job put back (its worker stopped before the job's next state) notifies as an enqueue does.
/// </para>
/// <para>
/// Compatible both ways with processes still on the library's queue (a rolling upgrade): they listen on the same channel
/// and ignore the payload; their notifications carry none, which wakes one worker of every queue here.
/// </para>
/// </summary>
public sealed partial class JobQueueWakeups(
    NpgsqlDataSource dataSource,
    IOptions<DatabaseOptions> database,
    PostgreSqlStorageOptions storageOptions,
    EngineMetrics metrics,
    ILogger<JobQueueWakeups> logger) : IAsyncDisposable
{
    /// <summary>The library's channel, so that processes on either queue hear each other.</summary>
    public const string Channel = "new_job";

    /// <summary>Ends the listening connection's <c>application_name</c>, so that operators (and the tests) can tell it in
    /// <c>pg_stat_activity</c>: its last query is not always the <c>LISTEN</c>, since keep-alives follow it.</summary>
    public const string ApplicationNameSuffix = "job wake-ups";

    /// <summary>Notifies <see cref="Channel"/> with the queue's name (<c>@queue</c>), for an enqueue and a put-back alike.</summary>
    private const string NotifyQueue = $"select pg_notify('{Channel}', @queue)";

    private static readonly TimeSpan ReconnectDelay = TimeSpan.FromSeconds(1);

    // One auto-reset event per queue: a Set releases exactly one waiting worker, or the next one to wait.
    private readonly ConcurrentDictionary<string, AutoResetEvent> _events = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startLock = new();
    private Task? _listener;

    private string Schema => storageOptions.SchemaName;

    /// <summary>
    /// Makes <paramref name="storage"/> enqueue and fetch through this process's wake-ups. Hangfire.PostgreSql builds its
    /// default queue provider in the storage's constructor and offers no public way to replace it (the collection's
    /// setter is internal); registering ours per queue instead would miss queues a configuration adds, and a server whose
    /// queues map to two providers refuses to fetch. Checked by <c>EngineContractTests</c>.
    /// </summary>
    public void Install(PostgreSqlStorage storage)
    {
        var providers = new PersistentJobQueueProviderCollection(new Provider(this, storage, new PostgreSqlJobQueueProvider(storage, storageOptions)));
        typeof(PostgreSqlStorage).GetProperty(nameof(PostgreSqlStorage.QueueProviders))!.SetValue(storage, providers);
    }

    /// <summary>Wakes one waiting worker of <paramref name="queue"/> in this process; of every queue when it is empty.</summary>
    private void Wake(string? queue)
    {
        if (string.IsNullOrEmpty(queue))
        {
            foreach (var wakeup in _events.Values)
            {
                wakeup.Set();
            }
        }
        else if (_events.TryGetValue(queue, out var wakeup))
        {
            wakeup.Set();
        }
    }

    private WakingFetchedJob Dequeue(PostgreSqlStorage storage, string[] queues, CancellationToken cancellationToken)
    {
        StartListening();
        WaitHandle[] wakeups = [cancellationToken.WaitHandle, .. queues.Select(queue => _events.GetOrAdd(queue, _ => new AutoResetEvent(false)))];
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var fetched = TryFetch(queues);
            metrics.CountFetch(fetched is not null);
            if (fetched is { } job)
            {
                if (job.More)
                {
                    Wake(job.Queue);
                }
                return new WakingFetchedJob(this, new PostgreSqlFetchedJob(storage, job.Id, job.JobId.ToString(CultureInfo.InvariantCulture), job.Queue, job.FetchedAt));
            }
            // The poll is the fallback for a notification lost while the listener reconnected, or a job another process
            // put back without one (a process still on the library's queue).
            WaitHandle.WaitAny(wakeups, storageOptions.QueuePollInterval);
        }
    }

    /// <summary>
    /// Takes the next job of <paramref name="queues"/> (the library's order and invisibility rule: never fetched or
    /// abandoned first, then by queue name, which makes the priority queues' names their order), and says whether
    /// another is ready behind it. The look behind locks nothing: a job another worker is taking at that moment counts,
    /// which costs at most one fetch that finds nothing, where skipping it could leave a job to the poll while idle
    /// workers of another process sleep. One statement, so no transaction of its own.
    /// </summary>
    private FetchedRow? TryFetch(string[] queues)
    {
        const string Ready = "queue = any(@queues) and (fetchedat is null or fetchedat < now() - @invisible)";
        using var command = dataSource.CreateCommand($"""
            with taken as (
                update "{Schema}".jobqueue q set fetchedat = now()
                where q.id = (
                    select id from "{Schema}".jobqueue
                    where {Ready}
                    order by fetchedat nulls first, queue, jobid
                    limit 1
                    for update skip locked)
                returning q.id, q.jobid, q.queue, q.fetchedat)
            select id, jobid, queue, fetchedat, exists (select 1 from "{Schema}".jobqueue where {Ready} and id <> taken.id)
            from taken
            """);
        command.Parameters.AddWithValue("queues", queues);
        command.Parameters.AddWithValue("invisible", storageOptions.InvisibilityTimeout);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new FetchedRow(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2), reader.GetDateTime(3), reader.GetBoolean(4))
            : null;
    }

    /// <summary>Adds the job to the queue and notifies with the queue's name, in the caller's transaction: the
    /// notification goes out when it commits. Several of one queue in a transaction reach listeners as one.</summary>
    private void Enqueue(IDbConnection connection, string queue, string jobId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"""insert into "{Schema}".jobqueue (jobid, queue) values (@job, @queue); {NotifyQueue}""";
        var job = command.CreateParameter();
        job.ParameterName = "job";
        job.Value = long.Parse(jobId, CultureInfo.InvariantCulture);
        command.Parameters.Add(job);
        var name = command.CreateParameter();
        name.ParameterName = "queue";
        name.Value = queue;
        command.Parameters.Add(name);
        command.ExecuteNonQuery();
    }

    /// <summary>Tells every process that a job of <paramref name="queue"/> is ready again (after it committed). Best
    /// effort: the job is back in the queue either way, and a lost notification costs a poll.</summary>
    private void Notify(string queue)
    {
        try
        {
            using var command = dataSource.CreateCommand(NotifyQueue);
            command.Parameters.AddWithValue("queue", queue);
            command.ExecuteNonQuery();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            LogNotifyFailed(logger, queue, e.Message);
        }
    }

    private void StartListening()
    {
        if (_listener is not null)
        {
            return;
        }
        lock (_startLock)
        {
            if (_listener is null && !_stopping.IsCancellationRequested)
            {
                var stopping = _stopping.Token;
                _listener = Task.Run(() => ListenAsync(stopping));
            }
        }
    }

    /// <summary>
    /// Holds the process's one listening connection, reconnecting when it is lost. Its own connection, out of the pool
    /// (it is held for the process's life), with keep-alives so that a connection dropped silently is noticed.
    /// </summary>
    private async Task ListenAsync(CancellationToken stopping)
    {
        var builder = new NpgsqlConnectionStringBuilder(database.Value.ConnectionString) { Pooling = false, KeepAlive = 30 };
        builder.ApplicationName = $"{builder.ApplicationName ?? "HangfireApp"} {ApplicationNameSuffix}";
        var connectionString = builder.ConnectionString;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, notification) => Wake(notification.Payload);
                await connection.OpenAsync(stopping);
                await using (var listen = new NpgsqlCommand($"listen {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stopping);
                }
                // Jobs enqueued while no connection listened were heard by no one here.
                Wake(null);
                while (true)
                {
                    await connection.WaitAsync(stopping);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
            {
                LogListenerLost(logger, e.Message);
                try
                {
                    await Task.Delay(ReconnectDelay, stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task? listener;
        lock (_startLock)
        {
            _stopping.Cancel();
            listener = _listener;
        }
        if (listener is not null)
        {
            await listener;
        }
        _stopping.Dispose();
    }

    [LoggerMessage(EventId = LogEventIds.JobQueueWakeupsListenerLost, Level = LogLevel.Warning,
        Message = "Lost the job queue's listening connection ({Reason}); reconnecting, workers poll meanwhile")]
    private static partial void LogListenerLost(ILogger logger, string reason);

    [LoggerMessage(EventId = LogEventIds.JobQueueWakeupsNotifyFailed, Level = LogLevel.Warning,
        Message = "Put a job of queue {Queue} back but could not notify ({Reason}); idle workers find it at their next poll")]
    private static partial void LogNotifyFailed(ILogger logger, string queue, string reason);

    /// <summary>
    /// A fetched job that notifies when it is put back. Hangfire's worker puts a job back when something stops it before
    /// the job reaches its next state (its server stopping, for a shutdown or a resize; a database error), and a fetched
    /// job disposed unremoved is put back too. The library's put-back notifies no one, so the job waited for an idle
    /// worker's poll.
    /// </summary>
    private sealed class WakingFetchedJob(JobQueueWakeups wakeups, PostgreSqlFetchedJob job) : IFetchedJob
    {
        private bool _settled;

        public string JobId => job.JobId;

        public void RemoveFromQueue()
        {
            job.RemoveFromQueue();
            _settled = true;
        }

        public void Requeue()
        {
            job.Requeue();
            _settled = true;
            wakeups.Notify(job.Queue);
        }

        public void Dispose()
        {
            var putBack = !_settled;
            _settled = true;
            job.Dispose();
            if (putBack)
            {
                wakeups.Notify(job.Queue);
            }
        }
    }

    private sealed record FetchedRow(long Id, long JobId, string Queue, DateTime FetchedAt, bool More);

    /// <summary>The queue provider of one storage: its fetches and enqueues go through the process's wake-ups; the
    /// dashboard's queue views stay the library's.</summary>
    private sealed class Provider(JobQueueWakeups wakeups, PostgreSqlStorage storage, PostgreSqlJobQueueProvider library)
        : IPersistentJobQueueProvider, IPersistentJobQueue
    {
        public IPersistentJobQueue GetJobQueue() => this;

        public IPersistentJobQueueMonitoringApi GetJobQueueMonitoringApi() => library.GetJobQueueMonitoringApi();

        public IFetchedJob Dequeue(string[] queues, CancellationToken cancellationToken) => wakeups.Dequeue(storage, queues, cancellationToken);

        public void Enqueue(IDbConnection connection, string queue, string jobId) => wakeups.Enqueue(connection, queue, jobId);
    }
}
