using Hangfire;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Storage;
using Npgsql;

namespace HangfireApp.JobServers;

/// <summary>No running job server has that name.</summary>
internal sealed class ServerNotFoundException(string message) : Exception(message);

/// <summary>
/// A job server's live WorkerCount: stored in <c>app.server_controls</c> by server name (it survives restarts) and
/// audited in the same transaction; the host running that server replaces it with the new count within
/// <c>Control:RefreshInterval</c> (<see cref="JobServersHostedService"/>).
/// </summary>
internal sealed class ServerControls(JobStorage storage, NpgsqlDataSource dataSource, AuditLog audit)
{
    /// <summary>Stores the new count; returns the server name it applies to (the part before the first ':').</summary>
    public async Task<string> SetWorkerCountAsync(string name, int workerCount, string actor, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(workerCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(workerCount, HangfireOptionsValidator.MaxWorkerCount);
        // A server is addressed by its name as /api/servers shows it, with or without the ":pid:guid" Hangfire adds.
        var serverName = name.Split(':')[0];
        var running = storage.GetMonitoringApi().Servers().Where(server => server.Name.Split(':')[0] == serverName).ToList();
        if (running.Count == 0)
        {
            throw new ServerNotFoundException($"No job server named '{serverName}' is running. GET /api/servers lists them (the name is the part before the first ':').");
        }
        await using var transaction = await AppTransaction.BeginAsync(dataSource, cancellationToken);
        int? before;
        await using (var read = transaction.Command("select worker_count from app.server_controls where server_name = @name for update"))
        {
            read.Parameters.AddWithValue("name", serverName);
            before = (int?)await read.ExecuteScalarAsync(cancellationToken);
        }
        await using (var write = transaction.Command("""
            insert into app.server_controls (server_name, worker_count, updated_at, updated_by) values (@name, @count, now(), @actor)
            on conflict (server_name) do update set worker_count = excluded.worker_count, updated_at = now(), updated_by = excluded.updated_by
            """))
        {
            write.Parameters.AddWithValue("name", serverName);
            write.Parameters.AddWithValue("count", workerCount);
            write.Parameters.AddWithValue("actor", actor);
            await write.ExecuteNonQueryAsync(cancellationToken);
        }
        await audit.RecordAsync(transaction, actor, AuditActions.ServerWorkerCount, $"server:{serverName}",
            new { workerCount = new { before = before ?? running[0].WorkersCount, after = workerCount } }, cancellationToken);
        transaction.Complete();
        return serverName;
    }
}
