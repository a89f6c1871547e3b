using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Batches.JobOutput;

/// <summary>A console section (one attempt of a job) as the dashboard shows it.</summary>
public sealed record ConsoleSectionView(long Id, string Title, DateTime StartedAt);

/// <summary>A stored console line; <see cref="Id"/> is the cursor for "lines after".</summary>
public sealed record ConsoleLineView(long Id, long SectionId, DateTime At, string? Color, string Text);

/// <summary>A progress bar's latest value in a section.</summary>
public sealed record ConsoleProgressView(long SectionId, string Name, double Value);

/// <summary>What a poll of a job's console returns: every section and bar (few, small) and the lines after the cursor.</summary>
public sealed record ConsoleSnapshot(
    IReadOnlyList<ConsoleSectionView> Sections,
    IReadOnlyList<ConsoleLineView> Lines,
    IReadOnlyList<ConsoleProgressView> Progress,
    bool More);

/// <summary>
/// The console tables: one statement per flush of a session (its section is created by its first flush, in
/// the same statement), and the dashboard's reads, all by job id on the tables' primary keys.
/// </summary>
public sealed class JobConsoleStore(NpgsqlDataSource dataSource)
{
    /// <summary>Writes a batch of lines and progress values of one section; returns the section's id (created
    /// when <paramref name="sectionId"/> is null).</summary>
    public async Task<long> WriteAsync(long jobId, long? sectionId, string title, DateTime startedAt, ConsoleBatch batch, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with new_section as (
                insert into app.console_sections (job_id, title, started_at)
                select @job, @title, @started where @section is null
                returning id
            ), section as (
                select id from new_section
                union all
                select @section where @section is not null
            ), lines as (
                insert into app.console_lines (job_id, section_id, at, color, text)
                select @job, section.id, l.at, l.color, l.text
                from section, unnest(@ats, @colors, @texts) with ordinality as l(at, color, text, n)
                order by l.n
            ), progress as (
                insert into app.console_progress (job_id, section_id, name, value, updated_at)
                select @job, section.id, p.name, p.value, now()
                from section, unnest(@names, @values) as p(name, value)
                on conflict (job_id, section_id, name) do update set value = excluded.value, updated_at = excluded.updated_at
            )
            select id from section
            """);
        command.Parameters.AddWithValue("job", jobId);
        command.Parameters.Add(new NpgsqlParameter("section", NpgsqlDbType.Bigint) { Value = (object?)sectionId ?? DBNull.Value });
        command.Parameters.AddWithValue("title", title);
        command.Parameters.AddWithValue("started", NpgsqlDbType.TimestampTz, startedAt);
        var lines = batch.Lines;
        command.Parameters.AddWithValue("ats", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz, lines.Select(l => l.At).ToArray());
        command.Parameters.AddWithValue("colors", NpgsqlDbType.Array | NpgsqlDbType.Text,
            lines.Select(l => l.Color is { } color ? (object)ColorName(color) : DBNull.Value).ToArray());
        command.Parameters.AddWithValue("texts", NpgsqlDbType.Array | NpgsqlDbType.Text, lines.Select(l => l.Text).ToArray());
        command.Parameters.AddWithValue("names", NpgsqlDbType.Array | NpgsqlDbType.Text, batch.Progress.Keys.ToArray());
        command.Parameters.AddWithValue("values", NpgsqlDbType.Array | NpgsqlDbType.Double, batch.Progress.Values.ToArray());
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>A job's sections and progress bars, and up to <paramref name="limit"/> of its lines after
    /// <paramref name="afterLineId"/> in order. With <paramref name="newest"/> the last <paramref name="limit"/>
    /// lines instead (the first render of a long console).</summary>
    public async Task<ConsoleSnapshot> ReadAsync(long jobId, long afterLineId, int limit, bool newest, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var sections = new NpgsqlBatchCommand("select id, title, started_at from app.console_sections where job_id = @job order by id");
        sections.Parameters.AddWithValue("job", jobId);
        var lines = new NpgsqlBatchCommand(newest
            ? """
              select * from (
                  select id, section_id, at, color, text from app.console_lines
                  where job_id = @job and id > @after order by id desc limit @limit
              ) newest order by id
              """
            : "select id, section_id, at, color, text from app.console_lines where job_id = @job and id > @after order by id limit @limit");
        lines.Parameters.AddWithValue("job", jobId);
        lines.Parameters.AddWithValue("after", afterLineId);
        lines.Parameters.AddWithValue("limit", limit + 1);
        var progress = new NpgsqlBatchCommand("select section_id, name, value from app.console_progress where job_id = @job order by section_id, name");
        progress.Parameters.AddWithValue("job", jobId);
        batch.BatchCommands.Add(sections);
        batch.BatchCommands.Add(lines);
        batch.BatchCommands.Add(progress);

        var sectionViews = new List<ConsoleSectionView>();
        var lineViews = new List<ConsoleLineView>();
        var progressViews = new List<ConsoleProgressView>();
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            sectionViews.Add(new ConsoleSectionView(reader.GetInt64(0), reader.GetString(1), reader.GetDateTime(2)));
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            lineViews.Add(new ConsoleLineView(reader.GetInt64(0), reader.GetInt64(1), reader.GetDateTime(2),
                reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4)));
        }
        await reader.NextResultAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            progressViews.Add(new ConsoleProgressView(reader.GetInt64(0), reader.GetString(1), reader.GetDouble(2)));
        }
        // One line more than asked tells whether there is more; newest-first reads lose their oldest line instead.
        var more = lineViews.Count > limit;
        if (more)
        {
            lineViews.RemoveAt(newest ? 0 : lineViews.Count - 1);
        }
        return new ConsoleSnapshot(sectionViews, lineViews, progressViews, more);
    }

    /// <summary>The progress bars of each job's latest section, for the Processing jobs list.</summary>
    public async Task<Dictionary<long, List<ConsoleProgressView>>> LatestProgressAsync(IReadOnlyCollection<long> jobIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select p.job_id, p.section_id, p.name, p.value
            from app.console_progress p
            where p.job_id = any(@jobs)
              and p.section_id = (select max(s.section_id) from app.console_progress s where s.job_id = p.job_id)
            order by p.job_id, p.name
            """);
        command.Parameters.AddWithValue("jobs", jobIds.ToArray());
        var result = new Dictionary<long, List<ConsoleProgressView>>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var jobId = reader.GetInt64(0);
            if (!result.TryGetValue(jobId, out var bars))
            {
                result[jobId] = bars = [];
            }
            bars.Add(new ConsoleProgressView(reader.GetInt64(1), reader.GetString(2), reader.GetDouble(3)));
        }
        return result;
    }

    /// <summary>The colour's name as stored and used in CSS classes.</summary>
    public static string ColorName(ConsoleTextColor color) => color switch
    {
        ConsoleTextColor.Gray => "gray",
        ConsoleTextColor.Green => "green",
        ConsoleTextColor.Yellow => "yellow",
        ConsoleTextColor.Red => "red",
        ConsoleTextColor.Blue => "blue",
        ConsoleTextColor.Cyan => "cyan",
        _ => throw new ArgumentOutOfRangeException(nameof(color), color, "Unknown console colour."),
    };
}
