using HangfireApp.Workers.Packages.Osv;
using HangfireApp.Workers.Packages.Scanning;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Packages;

/// <summary>What scanning one package of a slice ended in: its result, or the error that failed it.</summary>
public sealed record PackageScanOutcome(long PackageId, PackageScanResult? Result, Exception? Error);

/// <summary>
/// Scans a slice of packages against the local advisories in a fixed number of round trips, whatever its size:
/// <list type="number">
/// <item>one statement returns the packages, each with its advisories from the advisory index (one index probe per
/// package) and each advisory's <c>modified</c> and row version, and takes over (marks <c>scanning</c>) those this
/// batch did not queue itself; those it queued go from <c>queued</c> straight to <c>scanned</c>;</item>
/// <item>one query reads the <c>affected</c> entries of the advisories this host has not compiled yet (or that
/// changed since), which are compiled once and cached for every later slice (<see cref="AdvisoryCache"/>);</item>
/// <item>matching runs in memory (<see cref="CompiledAdvisory"/>, the same decisions as the per-package matcher);</item>
/// <item>one batch, one implicit transaction, replaces the findings of the scanned packages (one delete, one
/// multi-row insert) and marks them <c>scanned</c> (one update, only where this batch still owns them).</item>
/// </list>
/// A package that no longer exists, or whose advisories cannot be read, fails alone; the others are written.
/// </summary>
public sealed class PackageSliceScanner(NpgsqlDataSource dataSource, AdvisoryCache cache)
{
    public async Task<IReadOnlyList<PackageScanOutcome>> ScanAsync(long batchId, IReadOnlyList<long> packageIds, CancellationToken cancellationToken)
    {
        var ids = packageIds.ToArray();
        var (targets, index) = await StartAsync(batchId, ids, cancellationToken);
        var advisories = await LoadAdvisoriesAsync(index, cancellationToken);

        var outcomes = new PackageScanOutcome[ids.Length];
        var findings = new List<(long PackageId, ScanFinding Finding)>();
        var scanned = new List<long>();
        var now = DateTime.UtcNow;
        for (var i = 0; i < ids.Length; i++)
        {
            if (!targets.TryGetValue(ids[i], out var target))
            {
                outcomes[i] = new PackageScanOutcome(ids[i], null, new InvalidOperationException($"Package {ids[i]} does not exist (deleted after it was queued)."));
                continue;
            }
            try
            {
                var found = Match(target, index.GetValueOrDefault((target.Ecosystem, target.NameKey)) ?? [], advisories);
                findings.AddRange(found.Select(finding => (target.PackageId, finding)));
                scanned.Add(target.PackageId);
                outcomes[i] = new PackageScanOutcome(target.PackageId, new PackageScanResult(target.PackageId,
                    $"{target.Ecosystem}/{target.Name}@{target.Version}", found.Count, [.. found.Select(f => f.AdvisoryId)], now), null);
            }
            catch (Exception e) when (e is OsvFormatException or FormatException or NotSupportedException or NullReferenceException or ArgumentException)
            {
                outcomes[i] = new PackageScanOutcome(target.PackageId, null, e);
            }
        }
        if (scanned.Count > 0)
        {
            await WriteAsync(batchId, scanned, findings, cancellationToken);
        }
        return outcomes;
    }

    private static List<ScanFinding> Match(ScanTarget target, List<AdvisoryRef> candidates, Dictionary<string, Loaded> advisories)
    {
        var package = new MatchTarget(target.Ecosystem, target.Name, target.Version);
        var found = new List<ScanFinding>();
        foreach (var candidate in candidates)
        {
            var loaded = advisories[candidate.Id];
            if (loaded.Error is { } error)
            {
                throw error;
            }
            if (loaded.Advisory!.Matcher.Match(package) is { } match)
            {
                found.Add(new ScanFinding(candidate.Id, loaded.Advisory.Severity, loaded.Advisory.Aliases, loaded.Advisory.Summary, match.FixedIn));
            }
        }
        return found;
    }

    private async Task<(Dictionary<long, ScanTarget> Targets, Dictionary<(string, string), List<AdvisoryRef>> Index)> StartAsync(
        long batchId, long[] ids, CancellationToken cancellationToken)
    {
        // One statement: it returns the packages, each with its own advisories through the (ecosystem, name_key) index.
        // OFFSET 0 keeps the lookup a per-package index probe: as a plain join the planner hashes the whole advisory
        // index once per slice (a sequential scan of every advisory package, whatever the slice's size), and misjudges
        // it most right after an import or registration, before the tables have statistics. A package with no
        // advisories comes back once, with nulls.
        // Ownership: a package this batch queued is already this batch's (status `queued`, last_batch_id = this batch)
        // and is not written here: it goes from `queued` straight to `scanned` in the slice's write. Rewriting it as
        // `scanning` first cost one more update of every index of app.packages per package (status is indexed, so no
        // update of it is HOT) for a state that lasts one slice. Any other package that is not pending (a rerun of
        // this batch's failed items, a package another batch had queued) is taken over and marked `scanning`, as
        // before; a package that went back to pending meanwhile (a fresh request the sweep will take) is left alone.
        await using var command = dataSource.CreateCommand("""
            with taken as (
                update app.packages
                set status = 'scanning', last_batch_id = @batch
                where id = any(@ids) and status <> 'pending'
                  and not (status = 'queued' and last_batch_id is not distinct from @batch)
            )
            select s.id, s.ecosystem, s.name, s.name_key, s.version, x.id, x.modified, x.xmin
            from app.packages s
            left join lateral (
                select a.id, a.modified, a.xmin
                from app.advisory_packages ap
                join app.advisories a on a.id = ap.advisory_id
                where ap.ecosystem = s.ecosystem and ap.name_key = s.name_key and a.withdrawn is null
                offset 0
            ) x on true
            where s.id = any(@ids)
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, ids);

        var targets = new Dictionary<long, ScanTarget>(ids.Length);
        var index = new Dictionary<(string, string), List<AdvisoryRef>>();
        // Packages of the same name in one slice get the same advisories (same statement, same snapshot): a name's
        // list is taken from the rows of the first of its packages only.
        var listedBy = new Dictionary<(string, string), long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var packageId = reader.GetInt64(0);
            if (!targets.TryGetValue(packageId, out var target))
            {
                target = new ScanTarget(packageId, reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4));
                targets[packageId] = target;
            }
            var key = (target.Ecosystem, target.NameKey);
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = [];
                listedBy[key] = packageId;
            }
            if (!reader.IsDBNull(5) && listedBy[key] == packageId)
            {
                list.Add(new AdvisoryRef(reader.GetString(5), reader.GetDateTime(6), reader.GetFieldValue<uint>(7)));
            }
        }
        foreach (var list in index.Values)
        {
            list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
        }
        return (targets, index);
    }

    /// <summary>Every advisory the slice needs: from the cache when it is current, else read (in one query) and compiled.</summary>
    private async Task<Dictionary<string, Loaded>> LoadAdvisoriesAsync(Dictionary<(string, string), List<AdvisoryRef>> index, CancellationToken cancellationToken)
    {
        var loaded = new Dictionary<string, Loaded>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (var advisory in index.Values.SelectMany(list => list))
        {
            if (loaded.ContainsKey(advisory.Id))
            {
                continue;
            }
            if (cache.Get(advisory.Id, advisory.Modified, advisory.RowVersion) is { } cached)
            {
                loaded[advisory.Id] = new Loaded(cached, null);
            }
            else
            {
                loaded[advisory.Id] = new Loaded(null, null);
                missing.Add(advisory.Id);
            }
        }
        if (missing.Count == 0)
        {
            return loaded;
        }
        await using var command = dataSource.CreateCommand("""
            select id, modified, xmin, severity, aliases, summary, (record->'affected')::text
            from app.advisories where id = any(@ids)
            """);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, missing.ToArray());
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            try
            {
                var advisory = AdvisoryCache.Compile(id, reader.GetDateTime(1), reader.GetFieldValue<uint>(2), reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetFieldValue<string[]>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6));
                cache.Set(id, advisory);
                loaded[id] = new Loaded(advisory, null);
            }
            catch (OsvFormatException e)
            {
                loaded[id] = new Loaded(null, e); // fails the packages that need it; not cached, so a repaired row is read again
            }
        }
        foreach (var id in missing.Where(id => loaded[id] is { Advisory: null, Error: null }))
        {
            loaded[id] = new Loaded(null, new InvalidOperationException($"Advisory {id} was deleted during the scan."));
        }
        return loaded;
    }

    private async Task WriteAsync(long batchId, List<long> scanned, List<(long PackageId, ScanFinding Finding)> findings, CancellationToken cancellationToken)
    {
        // One batch is one implicit transaction: the findings and the status change together.
        await using var batch = dataSource.CreateBatch();
        // The old findings are found per package through the primary key (OFFSET 0 keeps each lookup its own index
        // probe), then deleted by row address. As `package_id = any(@ids)` the planner estimated the 250 packages'
        // share of the table from the column's statistics, and with none yet (a fresh table) or stale ones (taken when
        // the table held a few packages' findings) it judged that most rows match and scanned the whole table on every
        // slice (seen in the benchmark: a sequential scan of 66,000–73,000 rows per slice, for nothing to delete).
        var delete = new NpgsqlBatchCommand("""
            delete from app.findings where ctid = any(array(
                select f.ctid from unnest(@ids) as p(id)
                cross join lateral (select ctid from app.findings where package_id = p.id offset 0) f))
            """);
        delete.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, scanned.ToArray());
        batch.BatchCommands.Add(delete);
        if (findings.Count > 0)
        {
            var insert = new NpgsqlBatchCommand("""
                insert into app.findings (package_id, advisory_id, severity, aliases, summary, fixed_in)
                select f.package_id, f.advisory_id, f.severity, coalesce(string_to_array(f.aliases, E'\n'), '{}'), f.summary, f.fixed_in
                from unnest(@packages, @advisories, @severities, @aliases, @summaries, @fixed)
                     as f(package_id, advisory_id, severity, aliases, summary, fixed_in)
                on conflict (package_id, advisory_id) do nothing
                """);
            insert.Parameters.AddWithValue("packages", NpgsqlDbType.Array | NpgsqlDbType.Bigint, findings.Select(f => f.PackageId).ToArray());
            insert.Parameters.AddWithValue("advisories", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => f.Finding.AdvisoryId).ToArray());
            insert.Parameters.AddWithValue("severities", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.Finding.Severity ?? DBNull.Value).ToArray());
            // text[][] cannot be ragged: each finding's aliases travel as one newline-joined string.
            insert.Parameters.AddWithValue("aliases", NpgsqlDbType.Array | NpgsqlDbType.Text,
                findings.Select(f => f.Finding.Aliases.Count == 0 ? (object)DBNull.Value : string.Join('\n', f.Finding.Aliases)).ToArray());
            insert.Parameters.AddWithValue("summaries", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.Finding.Summary ?? DBNull.Value).ToArray());
            insert.Parameters.AddWithValue("fixed", NpgsqlDbType.Array | NpgsqlDbType.Text, findings.Select(f => (object?)f.Finding.FixedIn ?? DBNull.Value).ToArray());
            batch.BatchCommands.Add(insert);
        }
        var status = new NpgsqlBatchCommand("""
            update app.packages set status = 'scanned', scanned_at = now(), last_error = null
            where id = any(@ids) and last_batch_id = @batch and status in ('queued', 'scanning')
            """);
        status.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint, scanned.ToArray());
        status.Parameters.AddWithValue("batch", batchId);
        batch.BatchCommands.Add(status);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed record AdvisoryRef(string Id, DateTime Modified, uint RowVersion);

    private sealed record Loaded(CachedAdvisory? Advisory, Exception? Error);
}
