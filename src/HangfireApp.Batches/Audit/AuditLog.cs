using System.Text.Json;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Storage;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Batches.Audit;

/// <summary>
/// The audit log (<c>app.audit_log</c>): who did what to which target, and when. Record every operator action with
/// <see cref="RecordAsync(AppTransaction, string, string, string?, object?, CancellationToken)"/> inside the
/// action's own transaction, so that an action and its record commit together or not at all; actions without a
/// transaction of their own (a login, a Hangfire dashboard command) use the overload without one.
/// </summary>
/// <remarks>
/// Conventions: <c>actor</c> is the API key's or the dashboard user's name; <c>action</c> is a dotted verb from
/// <see cref="AuditActions"/>; <c>target</c> names what was acted on (<c>batch:42</c>, <c>job:17</c>,
/// <c>user:alice</c>); <c>details</c> is any small object, stored as JSON. Never put a secret in any of them.
/// </remarks>
public sealed class AuditLog(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Records an entry inside <paramref name="transaction"/>: it exists only if the transaction commits.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1822", Justification = "One injected service with both overloads keeps the API simple for callers.")]
    public async Task RecordAsync(AppTransaction transaction, string actor, string action, string? target, object? details, CancellationToken cancellationToken)
    {
        await using var command = transaction.Command(InsertSql);
        Bind(command, actor, action, target, details);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Records an entry in a transaction of its own.</summary>
    public async Task RecordAsync(string actor, string action, string? target, object? details, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(InsertSql);
        Bind(command, actor, action, target, details);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A page of entries, newest first, optionally only of one actor and/or one action.</summary>
    public async Task<Page<AuditEntry>> ListAsync(int page, int pageSize, string? actor, string? action, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        await using var command = dataSource.CreateCommand("""
            select id, at, actor, action, target, details::text, count(*) over () as total
            from app.audit_log
            where (@actor::text is null or actor = @actor) and (@action::text is null or action = @action)
            order by id desc
            limit @limit offset @offset
            """);
        command.Parameters.AddWithValue("actor", NpgsqlDbType.Text, (object?)actor ?? DBNull.Value);
        command.Parameters.AddWithValue("action", NpgsqlDbType.Text, (object?)action ?? DBNull.Value);
        command.Parameters.AddWithValue("limit", pageSize);
        command.Parameters.AddWithValue("offset", (long)(page - 1) * pageSize);
        var entries = new List<AuditEntry>();
        long total = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new AuditEntry(
                reader.GetInt64(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetString(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.IsDBNull(5) ? null : ParseDetails(reader.GetString(5))));
            total = reader.GetInt64(6);
        }
        if (entries.Count == 0 && page > 1)
        {
            // Past the last page the window function has no row to report the total on.
            await using var count = dataSource.CreateCommand("""
                select count(*) from app.audit_log
                where (@actor::text is null or actor = @actor) and (@action::text is null or action = @action)
                """);
            count.Parameters.AddWithValue("actor", NpgsqlDbType.Text, (object?)actor ?? DBNull.Value);
            count.Parameters.AddWithValue("action", NpgsqlDbType.Text, (object?)action ?? DBNull.Value);
            total = (long)(await count.ExecuteScalarAsync(cancellationToken))!;
        }
        return new Page<AuditEntry>(entries, page, pageSize, total);
    }

    private static JsonElement ParseDetails(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private const string InsertSql = "insert into app.audit_log (actor, action, target, details) values (@actor, @action, @target, @details)";

    private static void Bind(NpgsqlCommand command, string actor, string action, string? target, object? details)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(actor);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        command.Parameters.AddWithValue("actor", actor);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("target", NpgsqlDbType.Text, (object?)target ?? DBNull.Value);
        command.Parameters.AddWithValue("details", NpgsqlDbType.Jsonb, details is null ? DBNull.Value : JsonSerializer.Serialize(details, Json));
    }
}

/// <summary>One audit log entry.</summary>
public sealed record AuditEntry(long Id, DateTimeOffset At, string Actor, string Action, string? Target, JsonElement? Details);

/// <summary>
/// The actions the engine and the host record. Dashboard commands of Hangfire itself are <c>hangfire.</c> + their route;
/// worker types declare their own (<c>Modules.WorkerTypeBuilder.AuditActions</c>).
/// </summary>
public static class AuditActions
{
    public const string BatchSubmit = "batch.submit";
    public const string BatchCancel = "batch.cancel";
    public const string BatchRerun = "batch.rerun";
    public const string Login = "dashboard.login";
    public const string LoginFailed = "dashboard.login_failed";
    public const string Logout = "dashboard.logout";
    public const string HangfirePrefix = "hangfire.";
    public const string ScheduleSave = "schedule.save";
    public const string ScheduleDelete = "schedule.delete";
    public const string ScheduleTrigger = "schedule.trigger";
    public const string WorkerTypePause = "worker_type.pause";
    public const string WorkerTypeResume = "worker_type.resume";
    public const string WorkerTypeCap = "worker_type.max_running_chunks";
    public const string ServerWorkerCount = "server.worker_count";
}
