using HangfireApp.Batches.Queues;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Options;
using Npgsql;
using Prometheus;

namespace HangfireApp.Batches.Metrics;

/// <summary>Settings of <c>/metrics</c>: the <c>Metrics</c> section.</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>Off: no <c>/metrics</c> endpoint (the engine still counts, for the dashboard's charts).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long one reading of the cluster-wide gauges (queues, servers, batches) is reused: scrapes of
    /// every host within this time cost no query.</summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Empty: scraping is anonymous. Otherwise the hex SHA-256 of the scrape key, which a scraper sends as
    /// <c>Authorization: Bearer &lt;key&gt;</c> (Prometheus' <c>authorization</c> setting) or <c>X-Api-Key</c>.</summary>
    public string? ScrapeKeySha256 { get; set; }

    /// <summary>A server whose heartbeat is older than this counts as gone for <c>hangfireapp_queue_servers</c>.</summary>
    public TimeSpan ServerAliveWithin { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>One reading of a queue: jobs waiting (not fetched) and the age of the oldest.</summary>
public sealed record QueueReading(string Queue, long Depth, double OldestAgeSeconds, int LiveServers);

/// <summary>One Hangfire server: configured and busy workers.</summary>
public sealed record ServerReading(string Server, int Workers, int Busy);

/// <summary>What the cluster looked like at <see cref="At"/>.</summary>
public sealed record ClusterReading(
    DateTime At,
    IReadOnlyList<QueueReading> Queues,
    IReadOnlyList<ServerReading> Servers,
    IReadOnlyDictionary<string, long> Batches,
    IReadOnlyDictionary<string, long> RunningChunks);

/// <summary>
/// The cluster-wide gauges of <c>/metrics</c>, read from the database so that every host reports the same
/// numbers whichever is scraped: queue depth and oldest job age per queue (Hangfire's job queue), workers and busy
/// workers per server (Hangfire's servers and Processing jobs), batches per state, running chunks per worker type.
/// One round trip of five grouped queries on indexed or small tables, reused for <see cref="MetricsOptions.CacheDuration"/>.
/// </summary>
public sealed class ClusterGauges : IDisposable
{
    private static readonly IReadOnlyList<string> BatchStates = States.BatchStates.All;

    private readonly NpgsqlDataSource _dataSource;
    private readonly WorkerTypeRegistry _workerTypes;
    private readonly IOptions<MetricsOptions> _options;
    private readonly string _schema;
    private readonly SemaphoreSlim _reading = new(1, 1);
    private readonly Gauge _queueDepth;
    private readonly Gauge _queueOldest;
    private readonly Gauge _queueServers;
    private readonly Gauge _workers;
    private readonly Gauge _busy;
    private readonly Gauge _batches;
    private readonly Gauge _runningChunks;
    private ClusterReading? _last;

    public ClusterGauges(NpgsqlDataSource dataSource, WorkerTypeRegistry workerTypes, EngineMetrics metrics, IOptions<MetricsOptions> options, IOptions<SweepOptions> sweeps)
    {
        _dataSource = dataSource;
        _workerTypes = workerTypes;
        _options = options;
        _schema = sweeps.Value.HangfireSchema.Replace("\"", "\"\"", StringComparison.Ordinal);
        var factory = Prometheus.Metrics.WithCustomRegistry(metrics.Registry);
        _queueDepth = factory.CreateGauge("hangfireapp_queue_depth", "Jobs waiting in the queue (enqueued, not fetched), cluster-wide.", ["queue"]);
        _queueOldest = factory.CreateGauge("hangfireapp_queue_oldest_age_seconds", "Seconds the oldest waiting job of the queue has been enqueued, cluster-wide (0 when empty).", ["queue"]);
        _queueServers = factory.CreateGauge("hangfireapp_queue_servers", "Live Hangfire servers (recent heartbeat) that fetch from the queue.", ["queue"]);
        _workers = factory.CreateGauge("hangfireapp_workers", "Workers (WorkerCount) of each live Hangfire server.", ["server"]);
        _busy = factory.CreateGauge("hangfireapp_workers_busy", "Workers of each Hangfire server processing a job now.", ["server"]);
        _batches = factory.CreateGauge("hangfireapp_batches", "Batches per state, cluster-wide.", ["state"]);
        _runningChunks = factory.CreateGauge("hangfireapp_chunks_running", "Chunks running now per worker type, cluster-wide.", ["worker_type"]);
        foreach (var type in workerTypes.Enabled)
        {
            metrics.Declare(type.Name);
        }
    }

    public void Dispose() => _reading.Dispose();

    /// <summary>The latest reading, read again if it is older than the cache duration.</summary>
    public async Task<ClusterReading> ReadAsync(CancellationToken cancellationToken)
    {
        if (_last is { } fresh && DateTime.UtcNow - fresh.At < _options.Value.CacheDuration)
        {
            return fresh;
        }
        await _reading.WaitAsync(cancellationToken);
        try
        {
            if (_last is { } other && DateTime.UtcNow - other.At < _options.Value.CacheDuration)
            {
                return other; // another scrape read it while this one waited
            }
            var reading = await QueryAsync(cancellationToken);
            Publish(reading);
            _last = reading;
            return reading;
        }
        finally
        {
            _reading.Release();
        }
    }

    private async Task<ClusterReading> QueryAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = new NpgsqlBatch(connection)
        {
            BatchCommands =
            {
                // Depth from the job queue; the oldest waiting job's age from its Enqueued state (a retried job
                // counts from its re-enqueue, not its creation). min(id) is the oldest row: ids grow with inserts.
                new NpgsqlBatchCommand($"""
                    with waiting as (
                        select queue, count(*) as depth, min(id) as oldest from "{_schema}".jobqueue
                        where fetchedat is null group by queue
                    )
                    select w.queue, w.depth, coalesce(extract(epoch from now() - s.createdat), 0)::float8
                    from waiting w
                    join "{_schema}".jobqueue q on q.id = w.oldest
                    left join "{_schema}".job j on j.id = q.jobid
                    left join "{_schema}".state s on s.id = j.stateid
                    """),
                new NpgsqlBatchCommand($"""
                    select id, coalesce((data::jsonb ->> 'WorkerCount')::int, 0),
                           array(select jsonb_array_elements_text(coalesce(data::jsonb -> 'Queues', '[]'::jsonb))),
                           lastheartbeat > now() - @alive
                    from "{_schema}".server
                    """)
                {
                    Parameters = { new NpgsqlParameter("alive", _options.Value.ServerAliveWithin) },
                },
                new NpgsqlBatchCommand($"""
                    select s.data::jsonb ->> 'ServerId', count(*)
                    from "{_schema}".job j join "{_schema}".state s on s.id = j.stateid
                    where j.statename = 'Processing'
                    group by 1
                    """),
                new NpgsqlBatchCommand("select state, count(*) from app.batches group by state"),
                new NpgsqlBatchCommand("""
                    select b.worker_type, count(*) from app.chunks c join app.batches b on b.id = c.batch_id
                    where c.state = 'running' group by b.worker_type
                    """),
            },
        };
        var queues = new Dictionary<string, (long Depth, double Oldest)>(StringComparer.Ordinal);
        var servers = new List<(string Id, int Workers, string[] Queues, bool Alive)>();
        var busy = new Dictionary<string, int>(StringComparer.Ordinal);
        var batches = BatchStates.ToDictionary(state => state, _ => 0L, StringComparer.Ordinal);
        var running = _workerTypes.Enabled.ToDictionary(type => type.Name, _ => 0L, StringComparer.Ordinal);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                queues[reader.GetString(0)] = (reader.GetInt64(1), reader.GetDouble(2));
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                servers.Add((reader.GetString(0), reader.GetInt32(1), reader.GetFieldValue<string[]>(2), reader.GetBoolean(3)));
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (!reader.IsDBNull(0))
                {
                    busy[reader.GetString(0)] = (int)reader.GetInt64(1);
                }
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                batches[reader.GetString(0)] = reader.GetInt64(1);
            }
            await reader.NextResultAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                running[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        // Every queue someone could care about has a series, empty ones at 0: the enabled worker types' queues,
        // the engine's, and whatever a server listens to.
        var known = new SortedSet<string>(StringComparer.Ordinal) { QueueNames.Default, QueueNames.Maintenance };
        foreach (var type in _workerTypes.Enabled)
        {
            known.UnionWith(QueueNames.Expand(type.Queue));
        }
        foreach (var server in servers)
        {
            known.UnionWith(server.Queues);
        }
        known.UnionWith(queues.Keys);
        var queueReadings = known.Select(queue =>
        {
            var (depth, oldest) = queues.GetValueOrDefault(queue);
            return new QueueReading(queue, depth, oldest, servers.Count(server => server.Alive && server.Queues.Contains(queue)));
        }).ToList();
        // While a server is replaced for a new WorkerCount, the old and the new one share a label for a moment: summed.
        var serverReadings = servers.Where(server => server.Alive)
            .GroupBy(server => ServerLabel(server.Id), StringComparer.Ordinal)
            .Select(group => new ServerReading(group.Key, group.Sum(server => server.Workers), group.Sum(server => busy.GetValueOrDefault(server.Id))))
            .OrderBy(server => server.Server, StringComparer.Ordinal)
            .ToList();
        return new ClusterReading(DateTime.UtcNow, queueReadings, serverReadings, batches, running);
    }

    private void Publish(ClusterReading reading)
    {
        Replace(_queueDepth, reading.Queues.Select(q => (q.Queue, (double)q.Depth)));
        Replace(_queueOldest, reading.Queues.Select(q => (q.Queue, q.OldestAgeSeconds)));
        Replace(_queueServers, reading.Queues.Select(q => (q.Queue, (double)q.LiveServers)));
        Replace(_workers, reading.Servers.Select(s => (s.Server, (double)s.Workers)));
        Replace(_busy, reading.Servers.Select(s => (s.Server, (double)s.Busy)));
        Replace(_batches, reading.Batches.Select(b => (b.Key, (double)b.Value)));
        Replace(_runningChunks, reading.RunningChunks.Select(r => (r.Key, (double)r.Value)));
    }

    /// <summary>Sets the gauge's series to exactly these: a queue or server that went away stops being reported.</summary>
    private static void Replace(Gauge gauge, IEnumerable<(string Label, double Value)> values)
    {
        var current = values.ToDictionary(v => v.Label, v => v.Value, StringComparer.Ordinal);
        foreach (var labels in gauge.GetAllLabelValues().ToList())
        {
            if (!current.ContainsKey(labels[0]))
            {
                gauge.RemoveLabelled(labels);
            }
        }
        foreach (var (label, value) in current)
        {
            gauge.WithLabels(label).Set(value);
        }
    }

    /// <summary>A Hangfire server id is <c>{name}:{pid}:{guid}</c>; the guid only makes the label new on every start.</summary>
    public static string ServerLabel(string serverId)
    {
        var last = serverId.LastIndexOf(':');
        return last > 0 && serverId.IndexOf(':', StringComparison.Ordinal) < last ? serverId[..last] : serverId;
    }
}
