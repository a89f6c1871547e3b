using Npgsql;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>
/// A freshly created database on the local PostgreSQL that <c>ops/test.sh</c> starts, dropped again at the end.
/// The server is found through <c>HANGFIREAPP_TEST_CONNECTION</c> (defaults to ops/pg.sh's cluster).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static readonly string ServerConnectionString =
        Environment.GetEnvironmentVariable("HANGFIREAPP_TEST_CONNECTION")
        ?? "Host=127.0.0.1;Port=55432;Database=postgres;Username=hangfireapp;Password=hangfireapp";

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"hf_test_{DateTime.UtcNow:MMddHHmmss}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(AdminConnectionString()))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {name}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = name, MaxPoolSize = 60 };
        return new TestDatabase(name, builder.ConnectionString);
    }

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    /// <summary>Drops the database. A failure to clean up is reported, not turned into a test failure.</summary>
    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            await using var connection = new NpgsqlConnection(AdminConnectionString());
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {Name} with (force)", connection);
            await drop.ExecuteNonQueryAsync();
        }
        catch (PostgresException e)
        {
            TestContext.Current.SendDiagnosticMessage($"Could not drop test database {Name}: {e.MessageText}");
        }
    }

    private static string AdminConnectionString() =>
        new NpgsqlConnectionStringBuilder(ServerConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
}
