using System.ComponentModel;
using Hangfire;
using HangfireApp.Batches.JobOutput;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Sweeps;

/// <summary>
/// Deletes console sections — their lines and progress bars with them — whose Hangfire job has expired
/// (Hangfire deletes finished jobs after their expiration), or which are older than
/// <see cref="JobConsoleOptions.RetentionDays"/> (failed jobs never expire). Works in slices, so a large
/// backlog never holds one long transaction.
/// </summary>
public sealed partial class ConsoleRetentionSweep(
    NpgsqlDataSource dataSource,
    IOptions<JobConsoleOptions> consoleOptions,
    IOptions<SweepOptions> sweepOptions,
    ILogger<ConsoleRetentionSweep> logger)
{
    public const string RecurringJobId = "console-retention";
    private const int SectionsPerSlice = 1_000;
    private const int MaxSlicesPerRun = 200;

    [AutomaticRetry(Attempts = 0)]
    [DisplayName("Sweep: console retention")]
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var (sections, lines) = await SweepAsync(cancellationToken);
        if (sections > 0)
        {
            LogDeleted(logger, sections, lines);
        }
    }

    /// <summary>Deletes what is due; returns the sections and lines deleted.</summary>
    public async Task<(long Sections, long Lines)> SweepAsync(CancellationToken cancellationToken)
    {
        var schema = sweepOptions.Value.HangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);
        long sections = 0, lines = 0;
        for (var slice = 0; slice < MaxSlicesPerRun; slice++)
        {
            await using var command = dataSource.CreateCommand($"""
                with doomed as (
                    select s.id, s.job_id from app.console_sections s
                    where s.started_at < now() - make_interval(days => @days)
                       or not exists (select 1 from "{schema}".job j where j.id = s.job_id)
                    order by s.id
                    limit @limit
                ), gone_lines as (
                    delete from app.console_lines l using doomed d
                    where l.job_id = d.job_id and l.section_id = d.id
                    returning 1
                ), gone_progress as (
                    delete from app.console_progress p using doomed d
                    where p.job_id = d.job_id and p.section_id = d.id
                ), gone_sections as (
                    delete from app.console_sections s using doomed d
                    where s.id = d.id
                    returning 1
                )
                select (select count(*) from gone_sections), (select count(*) from gone_lines)
                """);
            command.Parameters.AddWithValue("days", consoleOptions.Value.RetentionDays);
            command.Parameters.AddWithValue("limit", SectionsPerSlice);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var deletedSections = reader.GetInt64(0);
            sections += deletedSections;
            lines += reader.GetInt64(1);
            if (deletedSections < SectionsPerSlice)
            {
                break;
            }
        }
        return (sections, lines);
    }

    [LoggerMessage(EventId = LogEventIds.ConsoleRetentionSweepDeleted, Level = LogLevel.Information, Message = "Console retention deleted {Sections} section(s) with {Lines} line(s)")]
    private static partial void LogDeleted(ILogger logger, long sections, long lines);
}
