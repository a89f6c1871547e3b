using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Auth;

/// <summary>
/// Slows password guessing: failed logins are counted per user name and per client address in PostgreSQL (so the
/// limit holds across hosts). Past the limit the key is locked, first for <c>Auth:Login:Lockout</c>, doubling with
/// each further failure up to <c>Auth:Login:MaxLockout</c>. A key is forgotten after <c>Auth:Login:Window</c>
/// without failures; a successful login clears its user name (not its address).
/// </summary>
public sealed class LoginThrottle(NpgsqlDataSource dataSource, IOptionsMonitor<AuthOptions> options)
{
    /// <summary>How long the caller must wait before trying again; zero when it may try now.</summary>
    public async Task<TimeSpan> RetryAfterAsync(string userName, IPAddress? address, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select coalesce(max(locked_until) - now(), interval '0')
            from app.login_failures where key = any(@keys) and locked_until > now()
            """);
        command.Parameters.AddWithValue("keys", Keys(userName, address).Select(k => k.Key).ToArray());
        var wait = (TimeSpan)(await command.ExecuteScalarAsync(cancellationToken))!;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Counts a failed login for the user name and the address; returns how long they are now locked.</summary>
    public async Task<TimeSpan> RecordFailureAsync(string userName, IPAddress? address, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Login;
        var longest = TimeSpan.Zero;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var (key, limit) in Keys(userName, address))
        {
            // One statement per key: the row lock of the upsert serialises concurrent failures across hosts.
            await using var command = new NpgsqlCommand("""
                insert into app.login_failures as f (key, failures, last_failure_at)
                values (@key, 1, now())
                on conflict (key) do update
                set failures = case when f.last_failure_at < now() - @window then 1 else f.failures + 1 end,
                    last_failure_at = now()
                returning failures
                """, connection, transaction);
            command.Parameters.AddWithValue("key", key);
            command.Parameters.AddWithValue("window", settings.Window);
            var failures = (int)(await command.ExecuteScalarAsync(cancellationToken))!;
            if (failures < limit)
            {
                continue;
            }
            var lockout = LockoutFor(failures - limit, settings);
            await using var lockKey = new NpgsqlCommand(
                "update app.login_failures set locked_until = now() + @lockout where key = @key", connection, transaction);
            lockKey.Parameters.AddWithValue("key", key);
            lockKey.Parameters.AddWithValue("lockout", lockout);
            await lockKey.ExecuteNonQueryAsync(cancellationToken);
            longest = lockout > longest ? lockout : longest;
        }
        await transaction.CommitAsync(cancellationToken);
        return longest;
    }

    /// <summary>A successful login forgets the user name's failures.</summary>
    public async Task RecordSuccessAsync(string userName, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("delete from app.login_failures where key = @key");
        command.Parameters.AddWithValue("key", UserKey(userName));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The lockout after <paramref name="over"/> failures beyond the limit: doubling, capped.</summary>
    public static TimeSpan LockoutFor(int over, LoginSettings settings)
    {
        var factor = Math.Pow(2, Math.Min(over, 30));
        var ticks = Math.Min(settings.Lockout.Ticks * factor, settings.MaxLockout.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private IEnumerable<(string Key, int Limit)> Keys(string userName, IPAddress? address)
    {
        var settings = options.CurrentValue.Login;
        yield return (UserKey(userName), settings.MaxFailuresPerUser);
        if (address is not null)
        {
            yield return ($"address:{(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address)}", settings.MaxFailuresPerAddress);
        }
    }

    private static string UserKey(string userName) => $"user:{userName.Trim().ToLowerInvariant()}";
}
