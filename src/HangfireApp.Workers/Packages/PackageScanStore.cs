using HangfireApp.Workers.Packages.Scanning;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages;

/// <summary>The scan's own reads and writes on <c>app.packages</c> and <c>app.findings</c>, one round trip each.</summary>
public sealed class PackageScanStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Reads the package and, unless it went back to <c>pending</c> meanwhile (a fresh request the sweep will
    /// take), marks it <c>scanning</c> by this batch. Null when the package no longer exists.
    /// </summary>
    public async Task<ScanTarget?> StartAsync(long packageId, long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.packages
            set status = case when status = 'pending' then status else 'scanning' end,
                last_batch_id = case when status = 'pending' then last_batch_id else @batch end
            where id = @id
            returning ecosystem, name, name_key, version
            """);
        command.Parameters.AddWithValue("id", packageId);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new ScanTarget(packageId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>Replaces the package's findings with <paramref name="findings"/>, atomically (one implicit transaction).</summary>
    public async Task ReplaceFindingsAsync(long packageId, IReadOnlyList<ScanFinding> findings, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        var delete = new NpgsqlBatchCommand("delete from app.findings where package_id = @id");
        delete.Parameters.AddWithValue("id", packageId);
        batch.BatchCommands.Add(delete);
        if (findings.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                insert into app.findings (package_id, advisory_id, severity, aliases, summary, fixed_in)
                select @id, f.advisory_id, f.severity, coalesce(string_to_array(f.aliases, E'\n'), '{}'), f.summary, f.fixed_in
                from unnest(@advisories, @severities, @aliases, @summaries, @fixed) as f(advisory_id, severity, aliases, summary, fixed_in)
                on conflict (package_id, advisory_id) do nothing
                """);
            insert.Parameters.AddWithValue("id", packageId);
            insert.Parameters.AddWithValue("advisories", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => f.AdvisoryId).ToArray());
            insert.Parameters.AddWithValue("severities", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.Severity ?? DBNull.Value).ToArray());
            // text[][] cannot be ragged: each finding's aliases travel as one newline-joined string.
            insert.Parameters.AddWithValue("aliases", NpgsqlDbType.Array | NpgsqlDbType.Text,
                findings.Select(f => f.Aliases.Count == 0 ? (object)DBNull.Value : string.Join('\n', f.Aliases)).ToArray());
            insert.Parameters.AddWithValue("summaries", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.Summary ?? DBNull.Value).ToArray());
            insert.Parameters.AddWithValue("fixed", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.FixedIn ?? DBNull.Value).ToArray());
            batch.BatchCommands.Add(insert);
        }
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }
}
