using System.Text.Json;
using System.Text.RegularExpressions;
using Cronos;
using Hangfire;
using Hangfire.Storage;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Schedules;

/// <summary>
/// Saves, lists and deletes schedules: a row in <c>app.schedules</c> and its Hangfire recurring job
/// <c>schedule:&lt;id&gt;</c> on the maintenance queue. Everything is validated before anything is written.
/// </summary>
public sealed partial class ScheduleService(
    NpgsqlDataSource dataSource,
    IRecurringJobManager recurring,
    JobStorage storage,
    WorkerTypeRegistry workerTypes,
    IEnumerable<IScheduleQuery> queries,
    IOptions<BatchLimitsOptions> limits,
    ILogger<ScheduleService> logger)
{
    /// <summary>Validates and saves a schedule (create or replace). True when it was created.</summary>
    public async Task<bool> SaveAsync(ScheduleDefinition schedule, CancellationToken cancellationToken)
    {
        var timeZone = Validate(schedule);
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        await using var upsert = transaction.Command("""
            insert into app.schedules (id, cron, time_zone, misfire, worker_type, items, query, priority, chunk_size, description, source)
            values (@id, @cron, @tz, @misfire, @type, @items, @query, @priority, @chunk, @description, @source)
            on conflict (id) do update
            set cron = excluded.cron, time_zone = excluded.time_zone, misfire = excluded.misfire, worker_type = excluded.worker_type,
                items = excluded.items, query = excluded.query, priority = excluded.priority, chunk_size = excluded.chunk_size,
                description = excluded.description, source = excluded.source, updated_at = now()
            where app.schedules.source = @source or @source = 'config'
            returning xmax = 0
            """);
        upsert.Parameters.AddWithValue("id", schedule.Id);
        upsert.Parameters.AddWithValue("cron", schedule.Cron.Trim());
        upsert.Parameters.AddWithValue("tz", schedule.TimeZone);
        upsert.Parameters.AddWithValue("misfire", schedule.Misfire);
        upsert.Parameters.AddWithValue("type", schedule.WorkerType);
        upsert.Parameters.AddWithValue("items", NpgsqlDbType.Jsonb, schedule.Items is null ? DBNull.Value : JsonSerializer.Serialize(schedule.Items));
        upsert.Parameters.AddWithValue("query", NpgsqlDbType.Text, (object?)schedule.Query ?? DBNull.Value);
        upsert.Parameters.AddWithValue("priority", schedule.Priority);
        upsert.Parameters.AddWithValue("chunk", NpgsqlDbType.Integer, (object?)schedule.ChunkSize ?? DBNull.Value);
        upsert.Parameters.AddWithValue("description", NpgsqlDbType.Text, (object?)schedule.Description ?? DBNull.Value);
        upsert.Parameters.AddWithValue("source", schedule.Source);
        var created = (bool?)await upsert.ExecuteScalarAsync(cancellationToken)
            ?? throw new BatchConflictException($"Schedule '{schedule.Id}' is defined in appsettings.json (Schedules:{schedule.Id}); change it there.");
        // The recurring job is written last, after the cron was validated with Hangfire's own parser, so a
        // failure here leaves the row uncommitted. (Hangfire's storage cannot join this transaction: its
        // recurring-job writes take a distributed lock.)
        AddOrUpdateRecurringJob(schedule, timeZone);
        transaction.Complete();
        LogSaved(logger, schedule.Id, schedule.Cron, schedule.TimeZone, schedule.Source);
        return created;
    }

    /// <summary>Deletes a schedule made through the API and its recurring job. False when there is none.</summary>
    public async Task<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var delete = dataSource.CreateCommand("""
            with target as (select id, source from app.schedules where id = @id),
                 deleted as (delete from app.schedules s using target t where s.id = t.id and t.source = 'api' returning s.id)
            select t.source, exists (select 1 from deleted) from target t
            """);
        delete.Parameters.AddWithValue("id", id);
        await using (var reader = await delete.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return false;
            }
            if (!reader.GetBoolean(1))
            {
                throw new BatchConflictException($"Schedule '{id}' is defined in appsettings.json (Schedules:{id}); remove it there.");
            }
        }
        recurring.RemoveIfExists(ScheduleDefinition.RecurringJobIdOf(id));
        LogDeleted(logger, id);
        return true;
    }

    /// <summary>Runs the schedule's recurring job now, as the dashboard's "Trigger now" does. False when there is none.</summary>
    public async Task<bool> TriggerAsync(string id, CancellationToken cancellationToken)
    {
        if (await GetAsync(id, cancellationToken) is null)
        {
            return false;
        }
        recurring.Trigger(ScheduleDefinition.RecurringJobIdOf(id));
        return true;
    }

    public async Task<ScheduleView?> GetAsync(string id, CancellationToken cancellationToken) =>
        (await ReadAsync(id, cancellationToken)).SingleOrDefault();

    public Task<List<ScheduleView>> ListAsync(CancellationToken cancellationToken) => ReadAsync(null, cancellationToken);

    /// <summary>Makes the config-defined schedules exactly the given ones: saves each, removes those no longer configured.</summary>
    public async Task ApplyConfigAsync(IReadOnlyList<ScheduleDefinition> configured, CancellationToken cancellationToken)
    {
        foreach (var schedule in configured)
        {
            await SaveAsync(schedule with { Source = ScheduleSources.Config }, cancellationToken);
        }
        await using var remove = dataSource.CreateCommand("delete from app.schedules where source = 'config' and id <> all(@ids) returning id");
        remove.Parameters.AddWithValue("ids", configured.Select(schedule => schedule.Id).ToArray());
        var removed = new List<string>();
        await using (var reader = await remove.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                removed.Add(reader.GetString(0));
            }
        }
        foreach (var id in removed)
        {
            recurring.RemoveIfExists(ScheduleDefinition.RecurringJobIdOf(id));
            LogDeleted(logger, id);
        }
    }

    /// <summary>The named query a schedule uses, if it is registered.</summary>
    public IScheduleQuery? FindQuery(string name) => queries.FirstOrDefault(query => query.Name == name);

    /// <summary>Checks a schedule; throws a <see cref="BatchRequestException"/> (400) naming each bad field.</summary>
    public TimeZoneInfo Validate(ScheduleDefinition schedule)
    {
        var errors = new Dictionary<string, string[]>();
        if (!IdPattern().IsMatch(schedule.Id ?? ""))
        {
            errors["id"] = ["id must be 1-100 characters: lowercase letters, digits, '.', '_' or '-', starting with a letter or digit."];
        }
        if (!TryParseCron(schedule.Cron, out var cronError))
        {
            errors["cron"] = [cronError!];
        }
        TimeZoneInfo? timeZone = null;
        try
        {
            timeZone = TimeZoneInfo.FindSystemTimeZoneById(schedule.TimeZone ?? "");
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException or ArgumentException)
        {
            errors["timeZone"] = [$"Unknown time zone '{schedule.TimeZone}': use an IANA id such as 'UTC' or 'Europe/Paris'."];
        }
        if (!MisfirePolicies.All.Contains(schedule.Misfire))
        {
            errors["misfire"] = [$"misfire must be one of {string.Join(", ", MisfirePolicies.All)}."];
        }
        if (!workerTypes.TryGet(schedule.WorkerType ?? "", out _))
        {
            errors["workerType"] = [workerTypes.WhyNotEnabled(schedule.WorkerType)];
        }
        if ((schedule.Items is null) == (schedule.Query is null))
        {
            errors["items"] = ["Give either items (a fixed list) or query (a named query), not both."];
        }
        else if (schedule.Items is { Count: 0 })
        {
            errors["items"] = ["items must not be empty."];
        }
        else if (schedule.Items?.Count > limits.Value.MaxItemsPerRequest)
        {
            errors["items"] = [$"At most {limits.Value.MaxItemsPerRequest} items."];
        }
        else if (schedule.Query is { } name)
        {
            var query = FindQuery(name);
            if (query is null)
            {
                errors["query"] = [$"Unknown query '{name}'. Known: {string.Join(", ", queries.Select(q => q.Name).Order())}."];
            }
            else if (query.WorkerType != schedule.WorkerType)
            {
                errors["query"] = [$"Query '{name}' selects items of worker type '{query.WorkerType}', not '{schedule.WorkerType}'."];
            }
        }
        if (!Priorities.TryParse(schedule.Priority, out _))
        {
            errors["priority"] = ["priority must be high, normal or low."];
        }
        if (schedule.ChunkSize is < 1 or > 100_000)
        {
            errors["chunkSize"] = ["chunkSize must be between 1 and 100000."];
        }
        if (schedule.Description?.Length > 1000)
        {
            errors["description"] = ["description is at most 1000 characters."];
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"The schedule '{schedule.Id}' is invalid.", errors);
        }
        return timeZone!;
    }

    /// <summary>Parses a cron expression as Hangfire does: five fields, or six with seconds first.</summary>
    public static bool TryParseCron(string? cron, out string? error)
    {
        error = null;
        var fields = cron?.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length ?? 0;
        if (fields is not (5 or 6))
        {
            error = $"cron '{cron}' must have 5 fields (minute hour day month weekday), or 6 with seconds first.";
            return false;
        }
        try
        {
            var expression = CronExpression.Parse(cron!, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard);
            // Valid syntax can still name a day that never comes ("0 3 31 2 *": 31 February): Cronos searches its whole
            // range and finds no occurrence. Hangfire would store such a schedule and never run it.
            if (expression.GetNextOccurrence(DateTime.UtcNow) is null)
            {
                error = $"cron '{cron}' never fires (no such date, e.g. 31 February).";
                return false;
            }
            return true;
        }
        catch (CronFormatException e)
        {
            error = $"cron '{cron}' is invalid: {e.Message}";
            return false;
        }
    }

    private void AddOrUpdateRecurringJob(ScheduleDefinition schedule, TimeZoneInfo timeZone)
    {
        var id = schedule.Id;
        recurring.AddOrUpdate<ScheduleJob>(ScheduleDefinition.RecurringJobIdOf(id), QueueNames.Maintenance,
            job => job.RunAsync(id, CancellationToken.None), schedule.Cron.Trim(),
            new RecurringJobOptions
            {
                TimeZone = timeZone,
                MisfireHandling = schedule.Misfire switch
                {
                    MisfirePolicies.Strict => MisfireHandlingMode.Strict,
                    MisfirePolicies.Ignorable => MisfireHandlingMode.Ignorable,
                    _ => MisfireHandlingMode.Relaxed,
                },
            });
    }

    private async Task<List<ScheduleView>> ReadAsync(string? id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, cron, time_zone, misfire, worker_type, items::text, query, priority, chunk_size, description, source,
                   last_batch_id, last_run_at, created_at, updated_at
            from app.schedules where @id::text is null or id = @id order by id
            """);
        command.Parameters.Add(new NpgsqlParameter("id", NpgsqlDbType.Text) { Value = (object?)id ?? DBNull.Value });
        var rows = new List<ScheduleView>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                var scheduleId = reader.GetString(0);
                rows.Add(new ScheduleView(scheduleId, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.IsDBNull(5) ? null : JsonSerializer.Deserialize<List<JsonElement>>(reader.GetString(5)),
                    reader.IsDBNull(6) ? null : reader.GetString(6), reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetInt32(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9), reader.GetString(10), ScheduleDefinition.RecurringJobIdOf(scheduleId),
                    null, null, reader.IsDBNull(11) ? null : reader.GetInt64(11), reader.IsDBNull(12) ? null : reader.GetDateTime(12),
                    reader.GetDateTime(13), reader.GetDateTime(14)));
            }
        }
        if (rows.Count == 0)
        {
            return rows;
        }
        using var connection = storage.GetConnection();
        var jobs = connection.GetRecurringJobs([.. rows.Select(row => row.RecurringJobId)]).ToDictionary(job => job.Id, StringComparer.Ordinal);
        return [.. rows.Select(row => jobs.TryGetValue(row.RecurringJobId, out var job)
            ? row with { NextExecution = job.NextExecution, LastExecution = job.LastExecution }
            : row)];
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,99}$")]
    private static partial Regex IdPattern();

    [LoggerMessage(EventId = LogEventIds.ScheduleServiceSaved, Level = LogLevel.Information, Message = "Schedule {ScheduleId} saved: {Cron} ({TimeZone}), from {Source}")]
    private static partial void LogSaved(ILogger logger, string scheduleId, string cron, string timeZone, string source);

    [LoggerMessage(EventId = LogEventIds.ScheduleServiceDeleted, Level = LogLevel.Information, Message = "Schedule {ScheduleId} deleted")]
    private static partial void LogDeleted(ILogger logger, string scheduleId);
}
