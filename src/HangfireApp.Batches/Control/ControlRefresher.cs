using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Control;

/// <summary>
/// Reads <c>app.worker_type_controls</c> and <c>app.server_controls</c> every <see cref="ControlOptions.RefreshInterval"/>
/// into this host's <see cref="ControlSnapshot"/>: a pause or a new WorkerCount made on any host (or before a
/// restart) reaches this one within that time. Two small tables, one round trip.
/// </summary>
internal sealed partial class ControlRefresher(
    NpgsqlDataSource dataSource,
    ControlSnapshot snapshot,
    IOptions<ControlOptions> options,
    ILogger<ControlRefresher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException && !stoppingToken.IsCancellationRequested)
            {
                // The database is away: keep the last known state and try again at the next tick.
                LogRefreshFailed(logger, e.Message);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select worker_type, paused from app.worker_type_controls"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("select server_name, worker_count from app.server_controls"));
        var paused = new Dictionary<string, bool>(StringComparer.Ordinal);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                paused[reader.GetString(0)] = reader.GetBoolean(1);
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                counts[reader.GetString(0)] = reader.GetInt32(1);
            }
        }
        foreach (var (workerType, isPaused) in paused)
        {
            snapshot.Apply(workerType, isPaused);
        }
        snapshot.ApplyWorkerCounts(counts);
    }

    [LoggerMessage(EventId = LogEventIds.ControlRefresherRefreshFailed, Level = LogLevel.Warning, Message = "Could not read the control tables: {Reason}; keeping the last known state")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
