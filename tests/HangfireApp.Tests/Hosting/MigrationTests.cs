using HangfireApp.Batches.Database;
using HangfireApp.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HangfireApp.Tests.Hosting;

public sealed class MigrationTests
{
    [Fact]
    public async Task Migrate_AppliesEveryScriptOnce_AndReapplyIsANoOp()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var dataSource = database.CreateDataSource();
        var migrator = new Migrator(dataSource, Options.Create(new DatabaseOptions { ConnectionString = database.ConnectionString }), NullLogger<Migrator>.Instance);

        (await migrator.PendingAsync(TestContext.Current.CancellationToken)).Count.ShouldBe(Migrator.ScriptNames.Count);
        migrator.Migrate();
        (await migrator.PendingAsync(TestContext.Current.CancellationToken)).ShouldBeEmpty();
        migrator.Migrate();

        await using var count = dataSource.CreateCommand("select count(*) from app.schema_versions");
        ((long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(Migrator.ScriptNames.Count);
        await using var schema = dataSource.CreateCommand("select count(*) from information_schema.schemata where schema_name = 'app'");
        ((long)(await schema.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(1);
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
        await using var count = dataSource.CreateCommand("select count(*) from app.schema_versions");
        ((long)(await count.ExecuteScalarAsync(TestContext.Current.CancellationToken))!).ShouldBe(Migrator.ScriptNames.Count);
    }
}
