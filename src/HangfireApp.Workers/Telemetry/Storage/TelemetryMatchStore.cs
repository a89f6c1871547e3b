using HangfireApp.Batches.Storage;
using HangfireApp.Workers.Telemetry.Parsing;
using Npgsql;
using NpgsqlTypes;

namespace HangfireApp.Workers.Telemetry.Storage;

/// <summary>Where the worker finds a match's telemetry.</summary>
public sealed record MatchSource(string MatchId, string Source, string? TelemetryUrl);

/// <summary>A match the <c>pending-matches</c> sweep claimed: its id and its stored file's size (null: a URL not fetched yet).</summary>
public sealed record ClaimedMatch(string MatchId, long? FileBytes);

/// <summary>
/// The <c>app.telemetry_matches</c> table and its statistics: registration (idempotent by match id), the sweep's
/// claim, the worker's start and results, and the API's reads.
/// </summary>
public sealed class TelemetryMatchStore(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Registers matches by URL as <c>pending</c> in one statement. A known match is merged (left as it is) unless it
    /// failed, in which case it is reopened with the new URL (and its uploaded file, if any, dropped).
    /// </summary>
    public async Task<IReadOnlyList<MatchRegistration>> RegisterUrlsAsync(IReadOnlyList<(string MatchId, string Url)> matches, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var registrations = new List<MatchRegistration>(matches.Count);
        await using (var command = new NpgsqlCommand("""
            with input as (
                select * from unnest(@ids::text[], @urls::text[]) with ordinality as i(match_id, url, n)
            ), upserted as (
                insert into app.telemetry_matches as m (match_id, source, telemetry_url)
                select match_id, 'url', url from input order by n
                on conflict (match_id) do update
                set source = 'url', telemetry_url = excluded.telemetry_url, file_bytes = null, status = 'pending',
                    requested_at = now(), last_error = null
                where m.status = 'failed'
                returning m.match_id, m.status, (xmax = 0) as inserted
            )
            select i.match_id, coalesce(u.status, m.status),
                   case when u.match_id is null then 'merged' when u.inserted then 'registered' else 'reopened' end
            from input i
            left join upserted u on u.match_id = i.match_id
            left join app.telemetry_matches m on m.match_id = i.match_id
            order by i.n
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, matches.Select(m => m.MatchId).ToArray());
            command.Parameters.AddWithValue("urls", NpgsqlDbType.Array | NpgsqlDbType.Text, matches.Select(m => m.Url).ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                registrations.Add(new MatchRegistration(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }
        var reopened = registrations.Where(r => r.Outcome == RegistrationOutcomes.Reopened).Select(r => r.MatchId).ToArray();
        if (reopened.Length > 0)
        {
            await using var drop = new NpgsqlCommand("delete from app.telemetry_files where match_id = any(@ids)", connection, transaction);
            drop.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, reopened);
            await drop.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return registrations;
    }

    /// <summary>
    /// Registers an uploaded file as match <paramref name="matchId"/>'s telemetry: the match row and the file's parts
    /// in one transaction. A known match that has not failed is merged and its file is not replaced.
    /// </summary>
    public async Task<MatchRegistration> RegisterUploadAsync(string matchId, Stream content, long maxBytes, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        string outcome;
        await using (var upsert = new NpgsqlCommand("""
            insert into app.telemetry_matches as m (match_id, source)
            values (@match, 'upload')
            on conflict (match_id) do update
            set source = 'upload', telemetry_url = null, status = 'pending', requested_at = now(), last_error = null
            where m.status = 'failed'
            returning (xmax = 0)
            """, connection, transaction))
        {
            upsert.Parameters.AddWithValue("match", matchId);
            var inserted = await upsert.ExecuteScalarAsync(cancellationToken);
            if (inserted is null)
            {
                await transaction.RollbackAsync(cancellationToken);
                return new MatchRegistration(matchId, await StatusAsync(matchId, cancellationToken) ?? MatchStatuses.Pending, RegistrationOutcomes.Merged);
            }
            outcome = (bool)inserted ? RegistrationOutcomes.Registered : RegistrationOutcomes.Reopened;
        }
        var bytes = await TelemetryFileStore.WriteAsync(connection, matchId, content, maxBytes, cancellationToken);
        await using (var size = new NpgsqlCommand("update app.telemetry_matches set file_bytes = @bytes where match_id = @match", connection, transaction))
        {
            size.Parameters.AddWithValue("bytes", bytes);
            size.Parameters.AddWithValue("match", matchId);
            await size.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return new MatchRegistration(matchId, MatchStatuses.Pending, outcome);
    }

    /// <summary>Puts a processed or failed match back to <c>pending</c>; its rows are replaced when it is processed again.
    /// Returns the status it had (null: unknown match); a queued or processing match is left alone.</summary>
    public async Task<string?> ReprocessAsync(string matchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            with before as (select status from app.telemetry_matches where match_id = @match for update)
            update app.telemetry_matches m set status = 'pending', requested_at = now()
            from before
            where m.match_id = @match and before.status in ('processed', 'failed')
            returning before.status
            """);
        command.Parameters.AddWithValue("match", matchId);
        if (await command.ExecuteScalarAsync(cancellationToken) is string previous)
        {
            return previous;
        }
        return await StatusAsync(matchId, cancellationToken);
    }

    public async Task<string?> StatusAsync(string matchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("select status from app.telemetry_matches where match_id = @match");
        command.Parameters.AddWithValue("match", matchId);
        return await command.ExecuteScalarAsync(cancellationToken) as string;
    }

    /// <summary>
    /// Claims pending matches inside <paramref name="transaction"/> (oldest request first): marks them <c>queued</c>.
    /// Rows another transaction holds are skipped, not waited for, so two hosts sweeping never take the same match.
    /// Each comes with its stored file's size (null for a URL not fetched yet), the sweep's guess at its cost.
    /// </summary>
    public static async Task<IReadOnlyList<ClaimedMatch>> ClaimAsync(AppTransaction transaction, int max, CancellationToken cancellationToken)
    {
        await using var claim = transaction.Command("""
            with claimed as (
                select match_id, requested_at from app.telemetry_matches
                where status = 'pending'
                order by requested_at, match_id
                limit @max
                for update skip locked
            )
            update app.telemetry_matches m set status = 'queued', last_error = null
            from claimed c where m.match_id = c.match_id
            returning m.match_id, c.requested_at, m.file_bytes
            """);
        claim.Parameters.AddWithValue("max", max);
        var rows = new List<(ClaimedMatch Match, DateTime RequestedAt)>();
        await using (var reader = await claim.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add((new ClaimedMatch(reader.GetString(0), reader.IsDBNull(2) ? null : reader.GetInt64(2)), reader.GetDateTime(1)));
            }
        }
        // UPDATE … RETURNING has no order of its own: restore the scan order.
        return [.. rows.OrderBy(row => row.RequestedAt).ThenBy(row => row.Match.MatchId, StringComparer.Ordinal).Select(row => row.Match)];
    }

    public static async Task MarkBatchAsync(AppTransaction transaction, IReadOnlyList<string> matchIds, long batchId, CancellationToken cancellationToken)
    {
        await using var mark = transaction.Command("update app.telemetry_matches set last_batch_id = @batch where match_id = any(@ids)");
        mark.Parameters.AddWithValue("batch", batchId);
        mark.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, matchIds.ToArray());
        await mark.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Marks the match <c>processing</c> in <paramref name="batchId"/> and says where its telemetry is; null when
    /// the match is not registered (deleted after it was queued).</summary>
    public async Task<MatchSource?> StartAsync(string matchId, long batchId, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.telemetry_matches set status = 'processing', last_batch_id = @batch
            where match_id = @match
            returning source, telemetry_url
            """);
        command.Parameters.AddWithValue("match", matchId);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new MatchSource(matchId, reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1))
            : null;
    }

    /// <summary>
    /// Stores a processed match in one transaction: its previous player rows are deleted, the new ones written with
    /// one binary COPY, and the match's summary and status set. Reprocessing therefore replaces, never adds.
    /// </summary>
    public async Task SaveAsync(string matchId, MatchAggregate match, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var delete = new NpgsqlCommand("delete from app.telemetry_player_stats where match_id = @match", connection, transaction))
        {
            delete.Parameters.AddWithValue("match", matchId);
            await delete.ExecuteNonQueryAsync(cancellationToken);
        }
        await using (var copy = await connection.BeginBinaryImportAsync("""
            copy app.telemetry_player_stats (match_id, account_id, name, team_id, kills, assists, dbnos, damage_dealt, headshot_kills,
                longest_kill, kill_streaks, team_kills, road_kills, heals, boosts, revives, walk_distance, ride_distance, swim_distance,
                time_survived, vehicle_destroys, weapons_acquired, win_place, heal_amount) from stdin (format binary)
            """, cancellationToken))
        {
            foreach (var player in match.Players)
            {
                var s = player.Stats;
                await copy.StartRowAsync(cancellationToken);
                await copy.WriteAsync(matchId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(player.AccountId, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(player.Name, NpgsqlDbType.Text, cancellationToken);
                await copy.WriteAsync(player.TeamId, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.Kills, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.Assists, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.DBNOs, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.DamageDealt, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.HeadshotKills, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.LongestKill, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.KillStreaks, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.TeamKills, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.RoadKills, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.Heals, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.Boosts, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.Revives, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.WalkDistance, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.RideDistance, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.SwimDistance, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.TimeSurvived, NpgsqlDbType.Double, cancellationToken);
                await copy.WriteAsync(s.VehicleDestroys, NpgsqlDbType.Integer, cancellationToken);
                await copy.WriteAsync(s.WeaponsAcquired, NpgsqlDbType.Integer, cancellationToken);
                if (s.WinPlace is { } place)
                {
                    await copy.WriteAsync(place, NpgsqlDbType.Integer, cancellationToken);
                }
                else
                {
                    await copy.WriteNullAsync(cancellationToken);
                }
                await copy.WriteAsync(s.HealAmount, NpgsqlDbType.Double, cancellationToken);
            }
            await copy.CompleteAsync(cancellationToken);
        }
        var summary = match.Summary;
        await using (var update = new NpgsqlCommand("""
            update app.telemetry_matches
            set status = 'processed', processed_at = now(), last_error = null, map_name = @map, mode = @mode, team_size = @team_size,
                is_custom_game = @custom, started_at = @started, ended_at = @ended, duration_seconds = @duration,
                player_count = @players, event_count = @events, telemetry_bytes = @bytes
            where match_id = @match
            """, connection, transaction))
        {
            update.Parameters.AddWithValue("match", matchId);
            update.Parameters.Add(new NpgsqlParameter("map", NpgsqlDbType.Text) { Value = (object?)summary.MapName ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter("mode", NpgsqlDbType.Text) { Value = (object?)summary.Mode ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter("team_size", NpgsqlDbType.Integer) { Value = summary.TeamSize > 0 ? summary.TeamSize : DBNull.Value });
            update.Parameters.AddWithValue("custom", summary.IsCustomGame);
            update.Parameters.Add(new NpgsqlParameter("started", NpgsqlDbType.TimestampTz) { Value = (object?)summary.StartedAt ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter("ended", NpgsqlDbType.TimestampTz) { Value = (object?)summary.EndedAt ?? DBNull.Value });
            update.Parameters.Add(new NpgsqlParameter("duration", NpgsqlDbType.Double) { Value = (object?)summary.DurationSeconds ?? DBNull.Value });
            update.Parameters.AddWithValue("players", summary.Players);
            update.Parameters.AddWithValue("events", summary.Events);
            update.Parameters.AddWithValue("bytes", summary.Bytes);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// When a batch is final: its matches still queued or processing failed (the item failed after its retries, or
    /// was cancelled) and take the item's error. Matches a newer batch took over are not touched.
    /// </summary>
    public async Task FailUnfinishedAsync(long batchId, IReadOnlyList<(string MatchId, string Error)> failures, CancellationToken cancellationToken)
    {
        if (failures.Count == 0)
        {
            return;
        }
        await using var command = dataSource.CreateCommand("""
            update app.telemetry_matches m set status = 'failed', last_error = f.error
            from unnest(@ids::text[], @errors::text[]) as f(match_id, error)
            where m.match_id = f.match_id and m.last_batch_id = @batch and m.status in ('queued', 'processing')
            """);
        command.Parameters.AddWithValue("batch", batchId);
        command.Parameters.AddWithValue("ids", NpgsqlDbType.Array | NpgsqlDbType.Text, failures.Select(f => f.MatchId).ToArray());
        command.Parameters.AddWithValue("errors", NpgsqlDbType.Array | NpgsqlDbType.Text, failures.Select(f => f.Error).ToArray());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private const string StatColumns = """
        s.account_id, s.name, s.team_id, s.kills, s.assists, s.dbnos, s.damage_dealt, s.headshot_kills, s.longest_kill, s.kill_streaks,
        s.team_kills, s.road_kills, s.heals, s.boosts, s.revives, s.walk_distance, s.ride_distance, s.swim_distance, s.time_survived,
        s.vehicle_destroys, s.weapons_acquired, s.win_place, s.heal_amount
        """;

    public async Task<MatchView?> GetMatchAsync(string matchId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            select match_id, status, source, telemetry_url, file_bytes, registered_at, processed_at, last_batch_id, last_error, map_name,
                   mode, team_size, is_custom_game, started_at, ended_at, duration_seconds, player_count, event_count, telemetry_bytes
            from app.telemetry_matches where match_id = @match
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select {StatColumns} from app.telemetry_player_stats s
            where s.match_id = @match order by s.win_place nulls last, s.kills desc, s.account_id
            """));
        for (var i = 0; i < batch.BatchCommands.Count; i++)
        {
            batch.BatchCommands[i].Parameters.AddWithValue("match", matchId);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }
        var match = new MatchView(reader.GetString(0), reader.GetString(1), reader.GetString(2), NullableString(reader, 3),
            reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetDateTime(5), reader.IsDBNull(6) ? null : reader.GetDateTime(6),
            reader.IsDBNull(7) ? null : reader.GetInt64(7), NullableString(reader, 8), NullableString(reader, 9), NullableString(reader, 10),
            reader.IsDBNull(11) ? null : reader.GetInt32(11), reader.IsDBNull(12) ? null : reader.GetBoolean(12),
            reader.IsDBNull(13) ? null : reader.GetDateTime(13), reader.IsDBNull(14) ? null : reader.GetDateTime(14),
            reader.IsDBNull(15) ? null : reader.GetDouble(15), reader.IsDBNull(16) ? null : reader.GetInt32(16),
            reader.IsDBNull(17) ? null : reader.GetInt64(17), reader.IsDBNull(18) ? null : reader.GetInt64(18), []);
        await reader.NextResultAsync(cancellationToken);
        var players = new List<PlayerMatchStats>();
        while (await reader.ReadAsync(cancellationToken))
        {
            players.Add(ReadStats(reader, 0));
        }
        return match with { Players = players };
    }

    public async Task<PlayerView?> GetPlayerAsync(string accountId, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select m.match_id, m.map_name, m.mode, m.started_at, {StatColumns}
            from app.telemetry_player_stats s join app.telemetry_matches m on m.match_id = s.match_id
            where s.account_id = @account and m.status = 'processed'
            order by m.started_at desc nulls last, m.match_id
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select count(*)::int, count(*) filter (where s.win_place = 1)::int, {string.Join(", ", StatCatalog.All.Select(stat => stat.LifetimeSql.Replace("(", "(s.", StringComparison.Ordinal)))}
            from app.telemetry_player_stats s join app.telemetry_matches m on m.match_id = s.match_id
            where s.account_id = @account and m.status = 'processed'
            """));
        for (var i = 0; i < batch.BatchCommands.Count; i++)
        {
            batch.BatchCommands[i].Parameters.AddWithValue("account", accountId);
        }
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var matches = new List<PlayerMatch>();
        while (await reader.ReadAsync(cancellationToken))
        {
            matches.Add(new PlayerMatch(reader.GetString(0), NullableString(reader, 1), NullableString(reader, 2),
                reader.IsDBNull(3) ? null : reader.GetDateTime(3), ReadStats(reader, 4)));
        }
        if (matches.Count == 0)
        {
            return null;
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var lifetime = new Dictionary<string, double?>();
        for (var i = 0; i < StatCatalog.All.Count; i++)
        {
            lifetime[StatCatalog.All[i].Name] = reader.IsDBNull(i + 2) ? null : Convert.ToDouble(reader.GetValue(i + 2), System.Globalization.CultureInfo.InvariantCulture);
        }
        return new PlayerView(accountId, matches[0].Stats.Name, reader.GetInt32(0), reader.GetInt32(1), lifetime, matches);
    }

    /// <summary>Players ranked by a statistic's lifetime value (processed matches only), best first, ties by account id.</summary>
    public async Task<Leaderboard> LeaderboardAsync(StatDefinition stat, int page, int pageSize, CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        // The column and direction come from StatCatalog, never from the request.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            select s.account_id, max(s.name), count(*)::int, {stat.LifetimeSql.Replace("(", "(s.", StringComparison.Ordinal)} as value
            from app.telemetry_player_stats s join app.telemetry_matches m on m.match_id = s.match_id
            where m.status = 'processed'
            group by s.account_id
            order by value {stat.Order} nulls last, s.account_id
            limit @limit offset @offset
            """));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("""
            select count(distinct s.account_id)
            from app.telemetry_player_stats s join app.telemetry_matches m on m.match_id = s.match_id
            where m.status = 'processed'
            """));
        batch.BatchCommands[0].Parameters.AddWithValue("limit", pageSize);
        batch.BatchCommands[0].Parameters.AddWithValue("offset", (long)(page - 1) * pageSize);
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        var items = new List<LeaderboardEntry>();
        var rank = (page - 1) * pageSize;
        while (await reader.ReadAsync(cancellationToken))
        {
            items.Add(new LeaderboardEntry(++rank, reader.GetString(0), reader.GetString(1), reader.GetInt32(2),
                reader.IsDBNull(3) ? null : Convert.ToDouble(reader.GetValue(3), System.Globalization.CultureInfo.InvariantCulture)));
        }
        await reader.NextResultAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return new Leaderboard(stat.Name, items, page, pageSize, reader.GetInt64(0));
    }

    private static PlayerMatchStats ReadStats(NpgsqlDataReader reader, int at) => new(
        reader.GetString(at), reader.GetString(at + 1), reader.GetInt32(at + 2), reader.GetInt32(at + 3), reader.GetInt32(at + 4),
        reader.GetInt32(at + 5), reader.GetDouble(at + 6), reader.GetInt32(at + 7), reader.GetDouble(at + 8), reader.GetInt32(at + 9),
        reader.GetInt32(at + 10), reader.GetInt32(at + 11), reader.GetInt32(at + 12), reader.GetInt32(at + 13), reader.GetInt32(at + 14),
        reader.GetDouble(at + 15), reader.GetDouble(at + 16), reader.GetDouble(at + 17), reader.GetDouble(at + 18), reader.GetInt32(at + 19),
        reader.GetInt32(at + 20), reader.IsDBNull(at + 21) ? null : reader.GetInt32(at + 21), reader.GetDouble(at + 22));

    private static string? NullableString(NpgsqlDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
