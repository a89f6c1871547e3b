using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Packages;
using Npgsql;

namespace HangfireApp.Tests.Packages;

/// <summary>
/// Which statuses a package passes through with the local scanner, and the findings' references (checked per
/// statement by triggers since session 5, instead of two foreign keys checked per row): what they refuse, what they
/// delete with a package or an advisory, and how they behave against a concurrent delete.
/// </summary>
[Collection(PackagesTests.Name)]
public sealed class ScanStatusAndReferencesTests(PackagesFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task PackagesTheirBatchQueued_GoFromQueuedStraightToScanned_OthersAreTakenOverAsScanning()
    {
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories());
        await fixture.PostAsync("/api/packages", new[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },
            new { ecosystem = "npm", name = "express", version = "4.18.2" },
        });
        // Every status a package row takes, in order (a trigger of this test only).
        await ExecuteAsync("""
            create table app.test_status_log (n bigint generated always as identity, package_id bigint, status text, last_batch_id bigint);
            create function app.test_log_status() returns trigger language plpgsql as $$
            begin insert into app.test_status_log (package_id, status, last_batch_id) values (new.id, new.status, new.last_batch_id); return null; end $$;
            create trigger test_log_status after update on app.packages for each row execute function app.test_log_status();
            """);
        try
        {
            var sweep = await fixture.SweepAsync();
            var batch = sweep.BatchIds.Single();
            (await fixture.Api.WaitFinalAsync(batch)).State.ShouldBe("succeeded");
            await Eventually.Until(() => fixture.Db.ScalarAsync("select count(*) from app.packages where status <> 'scanned'"), open => open == 0,
                TimeSpan.FromSeconds(20), "both packages to be scanned");
            // Queued by the sweep for this batch, then scanned by its slice: never rewritten as `scanning` in between.
            (await StatusesAsync()).ShouldBe(["lodash: queued, scanned", "express: queued, scanned"]);
            (await fixture.Db.ScalarAsync("select count(*) from app.findings f join app.packages p on p.id = f.package_id where p.name = 'lodash'")).ShouldBe(2);

            // A package another batch owns (here: a scan by batch 0, as a rerun of another batch's item would do) is
            // taken over: `scanning` by the new batch first, then `scanned`, and its findings replaced.
            await ExecuteAsync("truncate app.test_status_log");
            var lodash = await fixture.Db.ScalarAsync("select id from app.packages where name = 'lodash'");
            var outcomes = await fixture.Service<PackageSliceScanner>().ScanAsync(0, [lodash], CancellationToken.None);
            outcomes.Single().Error.ShouldBeNull();
            (await StatusesAsync()).ShouldBe(["lodash: scanning by 0, scanned by 0"]);

            // A package that went back to pending meanwhile is scanned but left pending (the sweep takes it again).
            await ExecuteAsync("truncate app.test_status_log; update app.packages set status = 'pending' where name = 'express'; truncate app.test_status_log");
            var express = await fixture.Db.ScalarAsync("select id from app.packages where name = 'express'");
            (await fixture.Service<PackageSliceScanner>().ScanAsync(batch, [express], CancellationToken.None)).Single().Error.ShouldBeNull();
            (await StatusesAsync()).ShouldBeEmpty();
            (await fixture.Db.TextAsync("select status from app.packages where id = @id", ("id", express))).ShouldBe("pending");
        }
        finally
        {
            await ExecuteAsync("drop trigger test_log_status on app.packages; drop function app.test_log_status(); drop table app.test_status_log");
        }
    }

    [Fact]
    public async Task Findings_MustReferToAnExistingPackageAndAdvisory_AndGoWithThem()
    {
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories());
        await fixture.PostAsync("/api/packages", new[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },
            new { ecosystem = "npm", name = "lodash", version = "3.6.0" },
        });
        (await fixture.Api.WaitFinalAsync((await fixture.SweepAsync()).BatchIds.Single())).State.ShouldBe("succeeded");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(3); // 2 + 1
        var newer = await fixture.Db.ScalarAsync("select id from app.packages where version = '4.17.11'");

        // No foreign key is left on the findings (the migration dropped them); the triggers stand for them.
        (await fixture.Db.ScalarAsync("select count(*) from pg_constraint where conrelid = 'app.findings'::regclass and contype = 'f'")).ShouldBe(0);
        // Refused, as a foreign key would: a finding of a package or an advisory that does not exist, or changed to one.
        (await SqlStateAsync("insert into app.findings (package_id, advisory_id) values (-1, 'GHSA-jf85-cpcp-j695')")).ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
        (await SqlStateAsync($"insert into app.findings (package_id, advisory_id) values ({newer}, 'GHSA-none')")).ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
        (await SqlStateAsync("update app.findings set advisory_id = 'GHSA-none' where advisory_id = 'GHSA-p6mc-m468-83gw'")).ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
        // (Without its index rows, so that only the findings' reference refuses the new id.)
        await ExecuteAsync("delete from app.advisory_packages where advisory_id = 'GHSA-jf85-cpcp-j695'");
        (await SqlStateAsync("update app.advisories set id = 'GHSA-renamed' where id = 'GHSA-jf85-cpcp-j695'")).ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(3);

        // Deleting an advisory deletes its findings (both packages'), and only those.
        await ExecuteAsync("delete from app.advisories where id = 'GHSA-jf85-cpcp-j695'");
        (await fixture.Db.TextAsync("select string_agg(advisory_id, ',') from app.findings")).ShouldBe("GHSA-p6mc-m468-83gw");
        // Deleting a package deletes its findings.
        await ExecuteAsync($"delete from app.packages where id = {newer}");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);

        // Truncating the packages alone takes every finding with them.
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories());
        await ExecuteAsync("update app.packages set status = 'pending'");
        (await fixture.Api.WaitFinalAsync((await fixture.SweepAsync()).BatchIds.Single())).State.ShouldBe("succeeded");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(1);
        await ExecuteAsync("truncate app.packages");
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);
    }

    [Fact]
    public async Task ADeleteAndAFindingsWriteAtOnce_NeverLeaveAFindingOfADeletedPackage()
    {
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.AllAdvisories());
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "lodash", version = "4.17.11" } });
        var package = await fixture.Db.ScalarAsync("select id from app.packages");
        var insert = $"insert into app.findings (package_id, advisory_id) values ({package}, 'GHSA-jf85-cpcp-j695')";

        // The delete first (not committed yet): the findings write waits for it, then finds the package gone.
        await using (var deleter = await fixture.Db.OpenConnectionAsync())
        await using (var writer = await fixture.Db.OpenConnectionAsync())
        {
            await using var deleting = await deleter.BeginTransactionAsync();
            await Execute(deleter, $"delete from app.packages where id = {package}");
            var write = SqlStateAsync(writer, insert);
            await UntilWaitingAsync(writer);
            await deleting.CommitAsync();
            (await write).ShouldBe(PostgresErrorCodes.ForeignKeyViolation);
        }
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);

        // The write first (not committed yet): the delete waits for it, then deletes what it committed.
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "lodash", version = "4.17.11" } });
        package = await fixture.Db.ScalarAsync("select id from app.packages");
        insert = $"insert into app.findings (package_id, advisory_id) values ({package}, 'GHSA-jf85-cpcp-j695')";
        await using (var deleter = await fixture.Db.OpenConnectionAsync())
        await using (var writer = await fixture.Db.OpenConnectionAsync())
        {
            await using var writing = await writer.BeginTransactionAsync();
            await Execute(writer, insert);
            var delete = Task.Run(() => Execute(deleter, $"delete from app.packages where id = {package}"));
            await UntilWaitingAsync(deleter);
            await writing.CommitAsync();
            await delete;
        }
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);

        // In REPEATABLE READ, whose snapshot predates the delete's commit, the write fails instead of writing an orphan.
        await fixture.PostAsync("/api/packages", new[] { new { ecosystem = "npm", name = "lodash", version = "4.17.11" } });
        package = await fixture.Db.ScalarAsync("select id from app.packages");
        insert = $"insert into app.findings (package_id, advisory_id) values ({package}, 'GHSA-jf85-cpcp-j695')";
        await using (var writer = await fixture.Db.OpenConnectionAsync())
        {
            await using var writing = await writer.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            (await fixture.Db.ScalarAsync($"select count(*) from app.packages where id = {package}")).ShouldBe(1);
            await Execute(writer, "select 1"); // the snapshot is taken here
            await ExecuteAsync($"delete from app.packages where id = {package}");
            (await SqlStateAsync(writer, insert)).ShouldBeOneOf(PostgresErrorCodes.SerializationFailure, PostgresErrorCodes.ForeignKeyViolation);
        }
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(0);
    }

    private async Task<string[]> StatusesAsync()
    {
        var rows = new List<string>();
        await using var command = fixture.Db.CreateCommand("""
            select p.name, string_agg(l.status || case when l.status = 'queued' or l.last_batch_id > 0 then '' else ' by ' || l.last_batch_id end, ', ' order by l.n)
            from app.test_status_log l join app.packages p on p.id = l.package_id
            group by p.id, p.name order by p.id
            """);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add($"{reader.GetString(0)}: {reader.GetString(1)}");
        }
        return [.. rows];
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = fixture.Db.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private static async Task Execute(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<string?> SqlStateAsync(string sql)
    {
        await using var connection = await fixture.Db.OpenConnectionAsync();
        return await SqlStateAsync(connection, sql);
    }

    /// <summary>Runs <paramref name="sql"/>; the SQLSTATE it failed with, or null.</summary>
    private static async Task<string?> SqlStateAsync(NpgsqlConnection connection, string sql)
    {
        try
        {
            await Execute(connection, sql);
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }

    /// <summary>Until the backend of <paramref name="connection"/> waits for a lock.</summary>
    private async Task UntilWaitingAsync(NpgsqlConnection connection)
    {
        var pid = connection.ProcessID;
        await Eventually.Until(() => fixture.Db.ScalarAsync("select count(*) from pg_stat_activity where pid = @pid and wait_event_type = 'Lock'", ("pid", pid)),
            waiting => waiting == 1, TimeSpan.FromSeconds(20), $"backend {pid} to wait for a lock");
    }
}
