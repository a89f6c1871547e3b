using System.Net;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Auth;

/// <summary>What the throttle says about a sign-in attempt before the password is checked.</summary>
/// <param name="RetryAfter">Non-zero: refuse (429) and say when to try again.</param>
/// <param name="Slowdown">How long to wait before checking the password: the user name is being guessed from elsewhere.</param>
public readonly record struct LoginGate(TimeSpan RetryAfter, TimeSpan Slowdown);

/// <summary>
/// Slows password guessing without handing an attacker a way to lock the real user out. Failed logins are counted in
/// PostgreSQL (so the limits hold across hosts) per (user name, client address) pair, per client address and per
/// user name. Past its limit a pair or an address is locked, first for <c>Auth:Login:Lockout</c>, doubling with each
/// further failure up to <c>Auth:Login:MaxLockout</c>. A user name is never locked — anyone can type it from
/// anywhere — past <c>MaxFailuresPerUser</c> failures its sign-ins only wait <c>UserDelay</c>, doubling up to
/// <c>MaxUserDelay</c>. A key is forgotten after <c>Auth:Login:Window</c> without failures; a successful login
/// clears its user name and its pair (not its address).
/// </summary>
public sealed class LoginThrottle(NpgsqlDataSource dataSource, IOptionsMonitor<AuthOptions> options)
{
    /// <summary>Whether the attempt may go ahead now, and how slowly.</summary>
    public async Task<LoginGate> CheckAsync(string userName, IPAddress? address, CancellationToken cancellationToken)
    {
        var settings = options.CurrentValue.Login;
        await using var command = dataSource.CreateCommand("""
            select coalesce(max(locked_until) filter (where key <> @user and locked_until > now()) - now(), interval '0'),
                   coalesce(max(failures) filter (where key = @user and last_failure_at >= now() - @window), 0)
            from app.login_failures where key = any(@keys)
            """);
        command.Parameters.AddWithValue("keys", Keys(userName, address).Select(k => k.Key).ToArray());
        command.Parameters.AddWithValue("user", UserKey(userName));
        command.Parameters.AddWithValue("window", settings.Window);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var wait = reader.GetFieldValue<TimeSpan>(0);
        var userFailures = reader.GetInt32(1);
        return new LoginGate(wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            userFailures < settings.MaxFailuresPerUser ? TimeSpan.Zero : SlowdownFor(userFailures - settings.MaxFailuresPerUser, settings));
    }

    /// <summary>Counts a failed login for the user name, the pair and the address; returns how long the caller is now locked.</summary>
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
            if (limit is not { } max || failures < max)
            {
                continue;
            }
            var lockout = LockoutFor(failures - max, settings);
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

    /// <summary>A successful login forgets the user name's failures and those of its pair with this address.</summary>
    public async Task RecordSuccessAsync(string userName, IPAddress? address, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("delete from app.login_failures where key = any(@keys)");
        command.Parameters.AddWithValue("keys", address is null ? [UserKey(userName)] : new[] { UserKey(userName), PairKey(userName, address) });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The lockout after <paramref name="over"/> failures beyond the limit: doubling, capped.</summary>
    public static TimeSpan LockoutFor(int over, LoginSettings settings) => Doubling(settings.Lockout, over, settings.MaxLockout);

    /// <summary>The wait of a sign-in after <paramref name="over"/> failures of its user name beyond the limit: doubling, capped.</summary>
    public static TimeSpan SlowdownFor(int over, LoginSettings settings) => Doubling(settings.UserDelay, over, settings.MaxUserDelay);

    private static TimeSpan Doubling(TimeSpan first, int over, TimeSpan max)
    {
        var factor = Math.Pow(2, Math.Min(over, 30));
        return TimeSpan.FromTicks((long)Math.Min(first.Ticks * factor, max.Ticks));
    }

    /// <summary>The keys an attempt counts against, each with the failures that lock it (none: the user name is never locked).</summary>
    private IEnumerable<(string Key, int? Limit)> Keys(string userName, IPAddress? address)
    {
        var settings = options.CurrentValue.Login;
        yield return (UserKey(userName), null);
        if (address is not null)
        {
            yield return (PairKey(userName, address), settings.MaxFailuresPerUser);
            yield return ($"address:{Normalize(address)}", settings.MaxFailuresPerAddress);
        }
    }

    private static string UserKey(string userName) => $"user:{NormalizeName(userName)}";

    private static string PairKey(string userName, IPAddress address) => $"user-address:{NormalizeName(userName)}@{Normalize(address)}";

    private static string NormalizeName(string userName) => userName.Trim().ToLowerInvariant();

    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
