using System.Linq.Expressions;
using Hangfire;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.States;

namespace HangfireApp.Batches.Storage;

/// <summary>
/// Hangfire job writes on the connection of an <see cref="AppTransaction"/>. Hangfire.PostgreSql wraps
/// its writes in a <c>TransactionScope</c>; with scope enlistment on, our connection as its only
/// connection, and our transaction made ambient, those writes join our open transaction instead of
/// committing on their own. That is what makes "a chunk and its job exist together or not at all" hold
/// even when the process dies mid-way.
/// </summary>
public sealed class TransactionalJobs(PostgreSqlStorageOptions storageOptions, JobQueueWakeups wakeups)
{
    public TransactionalJobClient On(AppTransaction transaction)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = storageOptions.SchemaName,
            EnableLongPolling = storageOptions.EnableLongPolling,
            UseSlidingInvisibilityTimeout = storageOptions.UseSlidingInvisibilityTimeout,
            InvisibilityTimeout = storageOptions.InvisibilityTimeout,
            DistributedLockTimeout = storageOptions.DistributedLockTimeout,
            PrepareSchemaIfNecessary = false,
            EnableTransactionScopeEnlistment = true,
        };
        var storage = new PostgreSqlStorage(new ExistingNpgsqlConnectionFactory(transaction.Connection, options), options);
        // Its enqueues notify with their queue's name, so that each wakes one worker of that queue per process.
        wakeups.Install(storage);
        return new TransactionalJobClient(new BackgroundJobClient(storage), transaction);
    }
}

/// <summary>Creates and deletes Hangfire jobs inside an <see cref="AppTransaction"/>.</summary>
public sealed class TransactionalJobClient(IBackgroundJobClient client, AppTransaction transaction)
{
    public string Create<T>(Expression<Func<T, Task>> job, IState state)
    {
        using var ambient = transaction.EnterSynchronous();
        var id = client.Create(job, state);
        ambient.Complete();
        return id;
    }

    public void Delete(string jobId)
    {
        using var ambient = transaction.EnterSynchronous();
        client.Delete(jobId);
        ambient.Complete();
    }
}
