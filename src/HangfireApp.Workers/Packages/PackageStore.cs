using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages;

public sealed record PackageView(
    long Id, string Ecosystem, string Name, string Version, string Status, string Priority,
    DateTime RequestedAt, DateTime? ScannedAt, long? LastBatchId, string? LastError, IReadOnlyList<FindingView> Findings);

public sealed record FindingView(string AdvisoryId, string? Severity, IReadOnlyList<string> Aliases, string? Summary, string? FixedIn);

public sealed record RegisteredPackage(long Id, string Ecosystem, string Name, string Version, string Status, string Priority, bool Inserted);

public sealed record RegisterResult(int Received, int Inserted, int Merged, IReadOnlyList<RegisteredPackage> Packages, IReadOnlyList<string> Skipped);

public sealed record PackagePage(IReadOnlyList<PackageView> Items, int PageNumber, int PageSize, long Total);

/// <summary>
/// The packages table as the API sees it: register (merging duplicates), list with findings, rerun failed. Packages
/// that become pending are scanned at once (<see cref="PackageScanTrigger"/>).
/// </summary>
public sealed class PackageStore(NpgsqlDataSource dataSource, PackageScanTrigger trigger)
{
    public static readonly IReadOnlyList<string> Statuses = ["pending", "queued", "scanning", "scanned", "failed"];

    /// <summary>
    /// Inserts new packages as <c>pending</c> in one statement; a package already known keeps its status and
    /// takes the higher of the two priorities.
    /// </summary>
    public async Task<RegisterResult> RegisterAsync(IReadOnlyList<PackageSpec> packages, int received, IReadOnlyList<string> skipped, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into app.packages (ecosystem, name, name_key, version, priority)
            select * from unnest(@ecosystems, @names, @keys, @versions, @priorities)
            on conflict (ecosystem, name_key, version) do update
            set priority = case when (case excluded.priority when 'high' then 1 when 'normal' then 2 else 3 end)
                                   < (case app.packages.priority when 'high' then 1 when 'normal' then 2 else 3 end)
                                then excluded.priority else app.packages.priority end
            returning id, ecosystem, name, version, status, priority, xmax = 0
            """);
        command.Parameters.AddWithValue("ecosystems", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Ecosystem).ToArray());
        command.Parameters.AddWithValue("names", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Name).ToArray());
        command.Parameters.AddWithValue("keys", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.NameKey).ToArray());
        command.Parameters.AddWithValue("versions", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Version).ToArray());
        command.Parameters.AddWithValue("priorities", NpgsqlDbType.Array | NpgsqlDbType.Text, packages.Select(p => p.Priority).ToArray());
        var rows = new List<RegisteredPackage>(packages.Count);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new RegisteredPackage(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetBoolean(6)));
            }
        }
        // Committed (one statement): scan what is pending now.
        if (rows.Any(row => row.Status == "pending"))
        {
            trigger.ScanPending();
        }
        var inserted = rows.Count(row => row.Inserted);
        return new RegisterResult(received, inserted, received - inserted, rows, skipped);
    }

    public async Task<PackagePage> ListAsync(string? status, string? query, int page, int pageSize, CancellationToken cancellationToken)
    {
        const string Filter = """
            where (@status::text is null or p.status = @status)
              and (@q::text is null or p.name ilike '%' || @q || '%' or p.name_key ilike '%' || @q || '%' or p.ecosystem ilike @q)
            """;
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select p.id, p.ecosystem, p.name, p.version, p.status, p.priority, p.requested_at, p.scanned_at, p.last_batch_id, p.last_error
            from app.packages p
            {Filter}
            order by p.id
            limit @limit offset @offset
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"select count(*) from app.packages p {Filter}"));
        foreach (var command in batch.BatchCommands)
        {
            command.Parameters.Add(new NpgsqlParameter("status", NpgsqlDbType.Text) { Value = (object?)status ?? DBNull.Value });
            command.Parameters.Add(new NpgsqlParameter("q", NpgsqlDbType.Text) { Value = (object?)EscapeLike(query) ?? DBNull.Value });
        }
        batch.BatchCommands[0].Parameters.AddWithValue("limit", pageSize);
        batch.BatchCommands[0].Parameters.AddWithValue("offset", (long)(page - 1) * pageSize);
        var rows = new List<PackageView>();
        long total;
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(new PackageView(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                    reader.GetString(5), reader.GetDateTime(6), reader.IsDBNull(7) ? null : reader.GetDateTime(7),
                    reader.IsDBNull(8) ? null : reader.GetInt64(8), reader.IsDBNull(9) ? null : reader.GetString(9), []));
            }
            await reader.NextResultAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            total = reader.GetInt64(0);
        }
        var findings = await FindingsAsync([.. rows.Select(row => row.Id)], cancellationToken);
        return new PackagePage(
            [.. rows.Select(row => row with { Findings = findings.TryGetValue(row.Id, out var list) ? list : [] })],
            page, pageSize, total);
    }

    /// <summary>Puts failed packages back to <c>pending</c> (all, or the given ones); the sweep scans them again.</summary>
    public async Task<int> RerunFailedAsync(IReadOnlyList<long>? ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.packages set status = 'pending', requested_at = now()
            where status = 'failed' and (@ids::bigint[] is null or id = any(@ids))
            """);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = (object?)ids?.ToArray() ?? DBNull.Value });
        var pending = await command.ExecuteNonQueryAsync(cancellationToken);
        if (pending > 0)
        {
            trigger.ScanPending();
        }
        return pending;
    }

    private async Task<Dictionary<long, List<FindingView>>> FindingsAsync(long[] packageIds, CancellationToken cancellationToken)
    {
        var findings = new Dictionary<long, List<FindingView>>();
        if (packageIds.Length == 0)
        {
            return findings;
        }
        await using var command = dataSource.CreateCommand("""
            select package_id, advisory_id, severity, aliases, summary, fixed_in
            from app.findings where package_id = any(@ids) order by package_id, advisory_id
            """);
        command.Parameters.AddWithValue("ids", packageIds);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var packageId = reader.GetInt64(0);
            if (!findings.TryGetValue(packageId, out var list))
            {
                findings[packageId] = list = [];
            }
            list.Add(new FindingView(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetFieldValue<string[]>(3),
                reader.IsDBNull(4) ? null : reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
        }
        return findings;
    }

    private static string? EscapeLike(string? query) =>
        string.IsNullOrWhiteSpace(query) ? null : query.Trim().Replace(@"\", @"\\", StringComparison.Ordinal)
            .Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
