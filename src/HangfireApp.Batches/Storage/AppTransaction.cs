using System.Transactions;
using Npgsql;

namespace HangfireApp.Batches.Storage;

/// <summary>
/// A transaction on one connection that Hangfire's job writes can join (see <see cref="TransactionalJobs"/>):
/// our rows and the Hangfire jobs that process them commit together or not at all.
/// </summary>
public sealed class AppTransaction : IAsyncDisposable
{
    private readonly TransactionScope _scope;

    private readonly Transaction _transaction;

    private AppTransaction(TransactionScope scope, Transaction transaction, NpgsqlConnection connection)
    {
        _scope = scope;
        _transaction = transaction;
        Connection = connection;
    }

    public NpgsqlConnection Connection { get; }

    /// <summary>
    /// Makes this transaction the ambient one for synchronous code on the current thread. Hangfire opens
    /// its own (non async-flowing) scope, which only joins an ambient transaction it can see this way.
    /// </summary>
    public TransactionScope EnterSynchronous() => new(_transaction);

    public static async Task<AppTransaction> BeginAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var scope = new TransactionScope(
            TransactionScopeOption.RequiresNew,
            new TransactionOptions { IsolationLevel = IsolationLevel.ReadCommitted, Timeout = TimeSpan.FromMinutes(10) },
            TransactionScopeAsyncFlowOption.Enabled);
        try
        {
            // Opened inside the scope, the connection enlists in it (Npgsql's Enlist=true default).
            var transaction = Transaction.Current!;
            var connection = await dataSource.OpenConnectionAsync(cancellationToken);
            return new AppTransaction(scope, transaction, connection);
        }
        catch
        {
            scope.Dispose();
            throw;
        }
    }

    public NpgsqlCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        return command;
    }

    /// <summary>Marks the work done; it commits on dispose. Without it, dispose rolls everything back.</summary>
    public void Complete() => _scope.Complete();

    public async ValueTask DisposeAsync()
    {
        try
        {
            _scope.Dispose();
        }
        finally
        {
            await Connection.DisposeAsync();
        }
    }
}
