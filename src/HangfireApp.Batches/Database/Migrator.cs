using System.Reflection;
using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Batches.Database;

/// <summary>
/// Applies the numbered SQL scripts of <c>migrations/</c> (embedded in this assembly) with DbUp, journaled
/// in <c>app.schema_versions</c>. Re-running is a no-op. Several hosts may start at once, so the run
/// holds a PostgreSQL advisory lock.
/// </summary>
public sealed partial class Migrator(NpgsqlDataSource dataSource, IOptions<DatabaseOptions> options, ILogger<Migrator> logger)
{
    private const long MigrationLockKey = 0x4846_4d49_4752; // "HFMIGR"
    private static readonly Assembly ScriptAssembly = typeof(Migrator).Assembly;

    /// <summary>Names of every migration script this build carries, in order.</summary>
    public static IReadOnlyList<string> ScriptNames { get; } =
        [.. ScriptAssembly.GetManifestResourceNames().Where(IsMigration).Order(StringComparer.Ordinal)];

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
                .WithScriptsEmbeddedInAssembly(ScriptAssembly, IsMigration)
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

    private static bool IsMigration(string resourceName) =>
        resourceName.StartsWith("migrations.", StringComparison.Ordinal) && resourceName.EndsWith(".sql", StringComparison.Ordinal);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Database migrated: {Applied} script(s) applied")]
    private static partial void LogMigrated(ILogger logger, int applied);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "DbUp: {Message}")]
    private static partial void LogDbUpWarning(ILogger logger, string message);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Error, Message = "DbUp: {Message}")]
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
