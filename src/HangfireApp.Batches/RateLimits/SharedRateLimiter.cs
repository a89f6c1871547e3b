using Npgsql;

namespace HangfireApp.Batches.RateLimits;

/// <summary>
/// A token bucket per key kept in <c>app.rate_limits</c>, so that all hosts together stay under one rate.
/// Taking a token is one atomic statement (the row is locked for its duration only); a caller without a
/// token learns how long to wait and sleeps without holding a thread or a connection. A <c>429</c> blocks
/// the bucket for every host until its Retry-After.
/// </summary>
public sealed class SharedRateLimiter(NpgsqlDataSource dataSource)
{
    /// <summary>Waits until a token for <paramref name="key"/> is taken.</summary>
    public async Task AcquireAsync(string key, double perSecond, int burst, CancellationToken cancellationToken)
    {
        while (true)
        {
            var wait = await TryTakeAsync(key, perSecond, burst, cancellationToken);
            if (wait <= TimeSpan.Zero)
            {
                return;
            }
            // A little jitter, so that hosts that wait for the same refill do not all wake in the same millisecond.
            await Task.Delay(wait + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 5)), cancellationToken);
        }
    }

    /// <summary>Takes a token if one is there: zero; otherwise the time until one will be.</summary>
    public async Task<TimeSpan> TryTakeAsync(string key, double perSecond, int burst, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            insert into app.rate_limits (key, tokens, refilled_at) values (@key, @burst, clock_timestamp())
            on conflict (key) do nothing;
            with t as (select clock_timestamp() as now),
            b as (
                select r.key, least(@burst::double precision, r.tokens + extract(epoch from t.now - r.refilled_at) * @rate) as available,
                       coalesce(extract(epoch from r.blocked_until - t.now), 0) as blocked_for, t.now
                from app.rate_limits r, t
                where r.key = @key
                for update of r
            )
            update app.rate_limits r
            set tokens = case when b.available >= 1 and b.blocked_for <= 0 then b.available - 1 else b.available end,
                refilled_at = b.now
            from b where r.key = b.key
            returning case when b.available >= 1 and b.blocked_for <= 0 then 0
                           else greatest(b.blocked_for, (1 - b.available) / @rate) end
            """);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("rate", perSecond);
        command.Parameters.AddWithValue("burst", burst);
        var seconds = Convert.ToDouble(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>No host takes a token of <paramref name="key"/> for <paramref name="delay"/> from now (a 429's Retry-After).</summary>
    public async Task BlockUntilAsync(string key, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            update app.rate_limits
            set blocked_until = greatest(coalesce(blocked_until, clock_timestamp()), clock_timestamp() + @delay)
            where key = @key
            """);
        command.Parameters.AddWithValue("key", key);
        command.Parameters.AddWithValue("delay", delay);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Drops the bucket of <paramref name="key"/> (a limit that belonged to something now finished, e.g. one batch).</summary>
    public async Task ForgetAsync(string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("delete from app.rate_limits where key = @key");
        command.Parameters.AddWithValue("key", key);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
