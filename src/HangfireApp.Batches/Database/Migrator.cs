using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Database;

/// <summary>
/// Applies the numbered SQL scripts of the engine (<c>migrations/</c>) and of every worker-type module (its
/// <c>Migrations</c> folder) with DbUp, in the order of their file names, journaled in <c>app.schema_versions</c> as
/// <c>migrations.&lt;file&gt;</c> (see <see cref="MigrationSource"/>). Re-running is a no-op. Several hosts may start
/// at once, so the run holds a PostgreSQL advisory lock.
/// </summary>
public sealed partial class Migrator
{
    private const long MigrationLockKey = 0x4846_4d49_4752; // "HFMIGR"
    private readonly NpgsqlDataSource dataSource;
    private readonly IOptions<DatabaseOptions> options;
    private readonly ILogger<Migrator> logger;
    private readonly IReadOnlyList<Script> scripts;

    /// <summary>A migrator of the engine's scripts and those of <paramref name="sources"/> (the modules').</summary>
    public Migrator(NpgsqlDataSource dataSource, IOptions<DatabaseOptions> options, IEnumerable<MigrationSource> sources, ILogger<Migrator> logger)
    {
        this.dataSource = dataSource;
        this.options = options;
        this.logger = logger;
        scripts = Collect([MigrationSource.Engine, .. sources.Where(source => source != MigrationSource.Engine)]);
        ScriptNames = [.. scripts.Select(script => script.JournalName)];
    }

    /// <summary>Journal names of every migration script this build carries, in the order they apply.</summary>
    public IReadOnlyList<string> ScriptNames { get; }

    public void Migrate()
    {
        using var lockConnection = dataSource.OpenConnection();
        using (var take = new NpgsqlCommand($"select pg_advisory_lock({MigrationLockKey})", lockConnection))
        {
            take.ExecuteNonQuery();
        }
        // DbUp creates its journal table before the first script runs, so the schema must exist first.
        using (var schema = new NpgsqlCommand("create schema if not exists app", lockConnection))
        {
            schema.ExecuteNonQuery();
        }
        try
        {
            var result = DeployChanges.To
                .PostgresqlDatabase(options.Value.ConnectionString)
                .WithScripts(scripts.Select(script => new SqlScript(script.JournalName, script.Read())))
                .JournalToPostgresqlTable("app", "schema_versions")
                .WithTransactionPerScript()
                .LogTo(new DbUpLog(logger))
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
            {
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
            }
            var applied = result.Scripts.Count();
            LogMigrated(logger, applied);
        }
        finally
        {
            using var release = new NpgsqlCommand($"select pg_advisory_unlock({MigrationLockKey})", lockConnection);
            release.ExecuteNonQuery();
        }
    }

    /// <summary>The scripts this build carries that the database has not applied yet.</summary>
    public async Task<IReadOnlyList<string>> PendingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "select scriptname from app.schema_versions");
        var applied = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            return ScriptNames;
        }
        return [.. ScriptNames.Where(name => !applied.Contains(name))];
    }

    /// <summary>Every script once, ordered by journal name; two owners of one file name stop the process.</summary>
    private static List<Script> Collect(IEnumerable<MigrationSource> sources)
    {
        var byName = new Dictionary<string, Script>(StringComparer.Ordinal);
        foreach (var source in sources.Distinct())
        {
            var found = false;
            foreach (var (journalName, resourceName) in source.Scripts())
            {
                found = true;
                if (byName.TryGetValue(journalName, out var other))
                {
                    throw new InvalidOperationException(
                        $"Migration '{journalName}' exists twice: in {other.Source.Owner} and in {source.Owner}. Give one of them another number.");
                }
                byName[journalName] = new Script(journalName, source, resourceName);
            }
            if (!found)
            {
                throw new InvalidOperationException(
                    $"{source.Owner} declares migrations but {source.Assembly.GetName().Name} embeds no '{source.ResourcePrefix}*.sql' resource (is its Migrations folder embedded?).");
            }
        }
        return [.. byName.Values.OrderBy(script => script.JournalName, StringComparer.Ordinal)];
    }

    private sealed record Script(string JournalName, MigrationSource Source, string ResourceName)
    {
        public string Read()
        {
            using var stream = Source.Assembly.GetManifestResourceStream(ResourceName)
                ?? throw new InvalidOperationException($"Resource {ResourceName} vanished.");
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    [LoggerMessage(EventId = LogEventIds.MigratorMigrated, Level = LogLevel.Information, Message = "Database migrated: {Applied} script(s) applied")]
    private static partial void LogMigrated(ILogger logger, int applied);

    [LoggerMessage(EventId = LogEventIds.MigratorDbUpWarning, Level = LogLevel.Warning, Message = "DbUp: {Message}")]
    private static partial void LogDbUpWarning(ILogger logger, string message);

    [LoggerMessage(EventId = LogEventIds.MigratorDbUpError, Level = LogLevel.Error, Message = "DbUp: {Message}")]
    private static partial void LogDbUpError(ILogger logger, string message, Exception? exception);

    /// <summary>DbUp's chatter stays out of the log; its warnings and errors do not.</summary>
    private sealed class DbUpLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) { }
        public void LogDebug(string format, params object[] args) { }
        public void LogInformation(string format, params object[] args) { }
        public void LogWarning(string format, params object[] args)
        {
            var message = Format(format, args);
            LogDbUpWarning(logger, message);
        }
        public void LogError(string format, params object[] args)
        {
            var message = Format(format, args);
            LogDbUpError(logger, message, null);
        }
        public void LogError(Exception ex, string format, params object[] args)
        {
            var message = Format(format, args);
            LogDbUpError(logger, message, ex);
        }
        private static string Format(string format, object[] args) =>
            string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args);
    }
}
