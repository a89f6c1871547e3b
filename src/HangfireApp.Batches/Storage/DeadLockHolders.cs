using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Storage;

/// <summary>
/// Releases Hangfire distributed locks whose holder's database session is gone.
/// <para>
/// Hangfire.PostgreSql (1.21) takes a lock by inserting a row into <c>hangfire.lock</c> and committing it; the row is
/// not tied to the session that wrote it. Its holder deletes it on release — but only while its connection is open.
/// When PostgreSQL restarts, or a process dies holding a lock (the recurring-jobs lock, a job's state lock), the row
/// stays until <c>DistributedLockTimeout</c> (10 min) expires it: no recurring job (so no sweep) runs and a worker
/// waits on the dead state lock all that time.
/// </para>
/// <para>
/// Why the holder's session decides: every write Hangfire.PostgreSql does under a lock goes through the connection
/// that took it, so once that session is gone nothing done under the lock can commit any more; the lock protects
/// nothing. This service stamps each new lock row with its holder (<c>holder_pid</c>, <c>holder_since</c> as column
/// defaults: the library's insert leaves them out) and, every <see cref="SweepOptions.LockHolderCheckInterval"/>,
/// deletes rows whose holder is no longer in <c>pg_stat_activity</c> (a reused pid has a later <c>backend_start</c>).
/// Rows written before the columns existed stay NULL and are left to the library's timeout. The alternative — a short
/// <c>DistributedLockTimeout</c> — would also expire live locks held through a slow pass or a frozen database, and
/// still keep a dead lock for its whole length. Not for a transaction-pooling proxy (PgBouncer in transaction mode),
/// where the session that wrote a row is not its holder: set the interval to zero there.
/// </para>
/// </summary>
public sealed partial class DeadLockHolders(NpgsqlDataSource dataSource, IOptions<SweepOptions> options, ILogger<DeadLockHolders> logger)
    : BackgroundService
{
    private bool _stamped;

    /// <summary>
    /// One release before the host goes on starting: the hosted services after this one register the recurring jobs
    /// (the engine's sweeps, the modules' schedules), each under its <c>recurring-job:ID</c> lock. A process killed while
    /// its scheduler held one of those left the row behind, and the registration waited Hangfire's 15 s for it and
    /// failed the start — every start, since no live process was left to release it.
    /// </summary>
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.LockHolderCheckInterval > TimeSpan.Zero)
        {
            await CheckAsync(cancellationToken);
        }
        await base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var every = options.Value.LockHolderCheckInterval;
        if (every <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await CheckAsync(stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One release, logged; a database that is down or restarting is logged and tried again next time (that is
    /// exactly when dead holders appear).</summary>
    private async Task CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            foreach (var resource in await ReleaseAsync(cancellationToken))
            {
                LogReleased(logger, resource);
            }
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            LogCheckFailed(logger, e.Message);
        }
    }

    /// <summary>Stamps the lock table (once) and deletes the locks of sessions that are gone; returns their resources.</summary>
    public async Task<IReadOnlyList<string>> ReleaseAsync(CancellationToken cancellationToken)
    {
        var schema = options.Value.HangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);
        if (!_stamped)
        {
            _stamped = await StampAsync(schema, cancellationToken);
            if (!_stamped)
            {
                return [];
            }
        }
        await using var delete = dataSource.CreateCommand($"""
            delete from "{schema}".lock l
            where l.holder_pid is not null
              and not exists (
                  select 1 from pg_stat_activity a
                  where a.pid = l.holder_pid
                    -- backend_start is hidden for sessions of other roles: such a holder counts as alive.
                    and (a.backend_start is null or a.backend_start <= l.holder_since))
            returning l.resource
            """);
        var released = new List<string>();
        await using var reader = await delete.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            released.Add(reader.GetString(0));
        }
        return released;
    }

    /// <summary>Adds the holder columns with their defaults; false while Hangfire has not created its schema yet.</summary>
    private async Task<bool> StampAsync(string schema, CancellationToken cancellationToken)
    {
        await using var look = dataSource.CreateCommand("""
            select count(*) filter (where column_name in ('holder_pid', 'holder_since')), count(*)
            from information_schema.columns where table_schema = @schema and table_name = 'lock'
            """);
        look.Parameters.AddWithValue("schema", options.Value.HangfireSchema);
        await using (var reader = await look.ExecuteReaderAsync(cancellationToken))
        {
            await reader.ReadAsync(cancellationToken);
            if (reader.GetInt64(1) == 0)
            {
                return false;
            }
            if (reader.GetInt64(0) == 2)
            {
                return true;
            }
        }
        // Added without a default first, so rows already there stay NULL (holder unknown) instead of getting this
        // session's pid; the defaults then stamp every later insert. A short lock_timeout: the table is hot.
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var alter = new NpgsqlCommand($"""
            set local lock_timeout = '5s';
            alter table "{schema}".lock add column if not exists holder_pid integer, add column if not exists holder_since timestamptz;
            alter table "{schema}".lock alter column holder_pid set default pg_backend_pid(), alter column holder_since set default now();
            """, connection, transaction);
        await alter.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        LogStamped(logger, options.Value.HangfireSchema);
        return true;
    }

    [LoggerMessage(EventId = LogEventIds.DeadLockHoldersReleased, Level = LogLevel.Warning, Message = "Released Hangfire lock {Resource}: its holder's database session is gone")]
    private static partial void LogReleased(ILogger logger, string resource);

    [LoggerMessage(EventId = LogEventIds.DeadLockHoldersCheckFailed, Level = LogLevel.Debug, Message = "Lock holder check failed (database unavailable?): {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = LogEventIds.DeadLockHoldersStamped, Level = LogLevel.Information, Message = "Hangfire locks in schema {Schema} now record their holder session")]
    private static partial void LogStamped(ILogger logger, string schema);
}
