using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.Tests.Storage;

/// <summary>
/// The host releases Hangfire lock rows whose holder's session is gone — and only those. (The fault tests show the
/// effect on whole restarts; this pins the rule itself.)
/// </summary>
[Collection(EngineTests.Name)]
public sealed class DeadLockHoldersTests(EngineFixture fixture)
{
    [Fact]
    public async Task LockOfAGoneSession_IsReleased_WhileLiveAndUnknownHoldersKeepTheirs()
    {
        await Eventually.Until(
            () => fixture.Db.ScalarAsync("select count(*) from information_schema.columns where table_schema = 'hangfire' and table_name = 'lock' and column_name in ('holder_pid', 'holder_since')"),
            columns => columns == 2, because: "the host to stamp the lock table");
        var prefix = $"test:{Guid.NewGuid():N}:";
        // A session of its own (no pool), which ends when it is closed, as a killed holder's does.
        var unpooled = new NpgsqlConnectionStringBuilder(fixture.App.Database.ConnectionString) { Pooling = false }.ConnectionString;
        await using var live = new NpgsqlConnection(unpooled);
        await live.OpenAsync();
        await InsertAsync(live, prefix + "live");
        await using (var gone = new NpgsqlConnection(unpooled))
        {
            await gone.OpenAsync();
            await InsertAsync(gone, prefix + "gone");
        }
        // Written before the columns existed: holder unknown, left to Hangfire's own timeout.
        await InsertAsync(live, prefix + "unknown", "insert into hangfire.lock (resource, acquired, holder_pid, holder_since) values (@r, now(), null, null)");
        // The live session's pid, but stamped before that session started: the pid was reused, the holder is gone.
        await InsertAsync(live, prefix + "reused", "insert into hangfire.lock (resource, acquired, holder_since) values (@r, now(), now() - interval '1 day')");

        await Eventually.Until(
            () => fixture.Db.ScalarAsync("select count(*) from hangfire.lock where resource = any(@r)", ("r", new[] { prefix + "gone", prefix + "reused" })),
            left => left == 0, TimeSpan.FromSeconds(20), "the gone holders' locks to be released");
        (await fixture.Db.ScalarAsync("select count(*) from hangfire.lock where resource = any(@r)", ("r", new[] { prefix + "live", prefix + "unknown" })))
            .ShouldBe(2);
        await fixture.Db.ScalarAsync("with gone as (delete from hangfire.lock where resource like @p returning 1) select count(*) from gone", ("p", prefix + "%"));
    }

    private static async Task InsertAsync(NpgsqlConnection connection, string resource, string sql = "insert into hangfire.lock (resource, acquired) values (@r, now())")
    {
        await using var insert = new NpgsqlCommand(sql, connection);
        insert.Parameters.AddWithValue("r", resource);
        await insert.ExecuteNonQueryAsync();
    }
}
