using System.ComponentModel;
using System.Text.Json;
using Hangfire;
using HangfireApp.Batches.Storage;
using HangfireApp.Batches.Submit;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Schedules;

/// <summary>
/// The recurring job of a schedule (<c>schedule:&lt;id&gt;</c>): reads the schedule and submits its batch.
/// A stable contract: it takes the schedule's id only, so editing a schedule changes what its next run does.
/// The items (fixed, or selected by the named query), the query's own writes and the batch commit together.
/// </summary>
public sealed partial class ScheduleJob(
    NpgsqlDataSource dataSource,
    BatchSubmitter submitter,
    ScheduleService schedules,
    IOptions<BatchLimitsOptions> limits,
    ILogger<ScheduleJob> logger)
{
    [AutomaticRetry(Attempts = 2)]
    [DisplayName("Schedule {0}")]
    public async Task RunAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var batchId = await SubmitAsync(scheduleId, cancellationToken);
        if (batchId is null)
        {
            LogNothing(logger, scheduleId);
        }
    }

    /// <summary>Submits the schedule's batch now; null when the schedule is gone or its query selected nothing.</summary>
    public async Task<long?> SubmitAsync(string scheduleId, CancellationToken cancellationToken)
    {
        var schedule = await schedules.GetAsync(scheduleId, cancellationToken);
        if (schedule is null)
        {
            return null;
        }
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        IReadOnlyList<JsonElement> items;
        IScheduleQuery? query = null;
        if (schedule.Query is { } name)
        {
            query = schedules.FindQuery(name) ?? throw new InvalidOperationException($"Schedule {scheduleId} uses query '{name}', which this build does not have.");
            items = await query.SelectAsync(transaction, limits.Value.MaxItemsPerRequest, cancellationToken);
        }
        else
        {
            items = schedule.Items ?? [];
        }
        if (items.Count == 0)
        {
            return null;
        }
        var result = await submitter.SubmitAsync(transaction, new SubmitBatch(schedule.WorkerType, items, schedule.ChunkSize,
            Priorities.Parse(schedule.Priority), schedule.Description ?? $"schedule {scheduleId}"), cancellationToken);
        if (query is not null)
        {
            await query.OnSubmittedAsync(transaction, result.BatchId, items, cancellationToken);
        }
        await using var record = transaction.Command("update app.schedules set last_batch_id = @batch, last_run_at = now() where id = @id");
        record.Parameters.AddWithValue("batch", result.BatchId);
        record.Parameters.AddWithValue("id", scheduleId);
        await record.ExecuteNonQueryAsync(cancellationToken);
        transaction.Complete();
        LogSubmitted(logger, scheduleId, result.BatchId, items.Count);
        return result.BatchId;
    }

    [LoggerMessage(EventId = LogEventIds.ScheduleJobSubmitted, Level = LogLevel.Information, Message = "Schedule {ScheduleId} submitted batch {BatchId} of {Items} items")]
    private static partial void LogSubmitted(ILogger logger, string scheduleId, long batchId, int items);

    [LoggerMessage(EventId = LogEventIds.ScheduleJobNothing, Level = LogLevel.Information, Message = "Schedule {ScheduleId} fired with nothing to submit (deleted, or its query selected no items)")]
    private static partial void LogNothing(ILogger logger, string scheduleId);
}
