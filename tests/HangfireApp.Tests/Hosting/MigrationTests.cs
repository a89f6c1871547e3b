using DbUp;
using DbUp.Engine;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.Modules;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Tests.Hosting;

public sealed class MigrationTests
{
    /// <summary>The migrator as the host builds it: the engine's scripts and every module's.</summary>
    private static Migrator CreateMigrator(NpgsqlDataSource dataSource, string connectionString)
    {
        var services = new ServiceCollection();
        services.AddWorkerTypes(WorkerModules.All);
        using var provider = services.BuildServiceProvider();
        return new Migrator(dataSource, Options.Create(new DatabaseOptions { ConnectionString = connectionString }),
            provider.GetServices<MigrationSource>(), NullLogger<Migrator>.Instance);
    }

    [Fact]
    public async Task Migrate_AppliesEveryScriptOnce_AndReapplyIsANoOp()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var dataSource = database.CreateDataSource();
        var migrator = CreateMigrator(dataSource, database.ConnectionString);

        (await migrator.PendingAsync(TestContext.Current.CancellationToken)).Count.ShouldBe(migrator.ScriptNames.Count);
        migrator.Migrate();
        (await migrator.PendingAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        migrator.Migrate();

        await using var count = dataSource.CreateCommand("select count(*) from app.schema_versions");
        ((long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(migrator.ScriptNames.Count);
        await using var schema = dataSource.CreateCommand("select count(*) from information_schema.schemata where schema_name = 'app'");
        ((long)(await schema.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(1);
    }

    [Fact]
    public void Migrator_CarriesEachModulesScripts_UnderTheirJournalNamesOfBeforeTheMove()
    {
        using var dataSource = NpgsqlDataSource.Create("Host=127.0.0.1");
        var names = CreateMigrator(dataSource, "Host=127.0.0.1").ScriptNames;

        // Journal names stay those the engine's folder gave them, so databases that applied them never re-run them.
        names.ShouldContain("migrations.0020_packages.sql");
        names.ShouldContain("migrations.0031_rows_calls.sql");
        names.ShouldContain("migrations.0035_scrape_addresses.sql");
        names.ShouldBe([.. names.Order(StringComparer.Ordinal)]);
        foreach (var before in Directory.GetFiles(SchemaOfBeforeModules).Select(Path.GetFileName))
        {
            names.ShouldContain($"migrations.{before}");
        }
    }

    [Fact]
    public async Task Migrate_UpgradesADatabaseOfBeforeTheModules_WithoutLosingData_AndRerunIsANoOp()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var dataSource = database.CreateDataSource();
        ApplySchemaOfBeforeModules(dataSource, database.ConnectionString);
        await ExecuteAsync(dataSource, """
            insert into app.batches (worker_type, state, total_items, chunk_size, continuation)
                values ('rows', 'succeeded', 2, 10, '{"condition":"on_success","next":{"workerType":"bench"}}');
            insert into app.chunks (batch_id, chunk_no, first_item, item_count, state, succeeded_items)
                select id, 0, 0, 2, 'succeeded', 2 from app.batches;
            insert into app.items (batch_id, item_no, state, payload, result)
                select id, n, 'succeeded', jsonb_build_object('values', jsonb_build_array('a' || n)), '{"columns":{"x":"1"}}'
                from app.batches, generate_series(0, 1) n;
            insert into app.rows_calls (batch_id, columns, delimiter, call) select id, '{a}', ',', '{}' from app.batches;
            insert into app.packages (ecosystem, name, name_key, version, status) values ('npm', 'left-pad', 'left-pad', '1.0.0', 'scanned');
            insert into app.rate_limits (key, tokens) values ('scanner', 3);
            insert into app.scrape_addresses (batch_id, address_key, address, first_item_no, first_page, pages) select id, 'a@example.com', 'a@example.com', 0, 'https://example.com/', '{https://example.com/}' from app.batches;
            insert into app.audit_log (actor, action, target) values ('alice', 'packages.register', null);
            """);
        var before = await SnapshotAsync(dataSource);
        var migrator = CreateMigrator(dataSource, database.ConnectionString);
        var pending = await migrator.PendingAsync(TestContext.Current.CancellationToken);

        // Only the scripts written after the move are new; the moved ones are recognised by their journal names.
        pending.ShouldNotBeEmpty();
        var moved = Directory.GetFiles(SchemaOfBeforeModules).Select(path => $"migrations.{Path.GetFileName(path)}").ToHashSet();
        pending.Where(moved.Contains).ShouldBeEmpty();
        migrator.Migrate();

        (await migrator.PendingAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        (await SnapshotAsync(dataSource)).ShouldBe(before);
        var journal = await JournalCountAsync(dataSource);
        migrator.Migrate();
        (await JournalCountAsync(dataSource)).ShouldBe(journal);
        (await SnapshotAsync(dataSource)).ShouldBe(before);
    }

    [Fact]
    public async Task MigrateVerb_AppliesMigrations_AndExits()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString };
        await using var host = HostProcess.Start(settings, ["migrate"]);

        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue(host.Output);
        host.ExitCode.ShouldBe(0, host.Output);
        await using var dataSource = database.CreateDataSource();
        (await JournalCountAsync(dataSource)).ShouldBe(CreateMigrator(dataSource, database.ConnectionString).ScriptNames.Count);
    }

    /// <summary>The scripts as they were on 2026-12-01, before worker types became modules (all in the engine's folder).</summary>
    private static string SchemaOfBeforeModules => Path.Combine(AppContext.BaseDirectory, "Hosting", "Schema20261201");

    /// <summary>What the migrator of before the modules did: those scripts, journaled under their embedded resource names.</summary>
    private static void ApplySchemaOfBeforeModules(NpgsqlDataSource dataSource, string connectionString)
    {
        using (var schema = dataSource.CreateCommand("create schema if not exists app"))
        {
            schema.ExecuteNonQuery();
        }
        var scripts = Directory.GetFiles(SchemaOfBeforeModules, "*.sql").Order(StringComparer.Ordinal)
            .Select(path => new SqlScript($"migrations.{Path.GetFileName(path)}", File.ReadAllText(path)));
        var result = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScripts(scripts)
            .JournalToPostgresqlTable("app", "schema_versions")
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build()
            .PerformUpgrade();
        result.Successful.ShouldBeTrue(result.Error?.ToString());
    }

    private static async Task ExecuteAsync(NpgsqlDataSource dataSource, string sql)
    {
        await using var command = dataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
    }

    private static async Task<long> JournalCountAsync(NpgsqlDataSource dataSource)
    {
        await using var count = dataSource.CreateCommand("select count(*) from app.schema_versions");
        return (long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!;
    }

    /// <summary>Every row of the tables the test filled, as text, to compare before and after.</summary>
    private static async Task<List<string>> SnapshotAsync(NpgsqlDataSource dataSource)
    {
        var rows = new List<string>();
        foreach (var table in new[] { "batches", "chunks", "items", "rows_calls", "packages", "rate_limits", "scrape_addresses", "audit_log" })
        {
            var columns = ColumnsOfBefore(table);
            await using var command = dataSource.CreateCommand($"select ({string.Join(", ", columns)})::text from app.{table} order by 1");
            await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                rows.Add($"{table}: {reader.GetString(0)}");
            }
        }
        rows.Count.ShouldBeGreaterThan(8);
        return rows;
    }

    /// <summary>The columns the table had before the upgrade (new columns may be added; none may be lost).</summary>
    private static List<string> ColumnsOfBefore(string table) => table switch
    {
        "batches" => ["id", "worker_type", "state", "total_items", "chunk_size", "run_no", "continuation", "created_at"],
        "chunks" => ["id", "batch_id", "chunk_no", "first_item", "item_count", "state", "attempt", "lease_epoch", "succeeded_items"],
        "items" => ["batch_id", "item_no", "state", "attempts", "payload", "result", "error"],
        "rows_calls" => ["batch_id", "columns", "delimiter", "call"],
        "packages" => ["id", "ecosystem", "name", "name_key", "version", "status"],
        "rate_limits" => ["key", "tokens"],
        "scrape_addresses" => ["batch_id", "address_key", "address", "first_page", "pages"],
        _ => ["id", "actor", "action"],
    };
}
