using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.FaultTests.Infrastructure;

/// <summary>
/// The fault tests' world: their own PostgreSQL cluster, one database, and two host processes on it — a web host
/// (API only, no job servers) and a worker host — as a deployment runs them. Tests create their own batches and
/// add or kill hosts of their own; the fixture's hosts live through every restart and freeze.
/// </summary>
public sealed class FaultFixture : IAsyncLifetime
{
    public const string AdminKey = "faults-admin-key-0123456789";
    private const string DatabaseName = "faults";

    public FaultCluster Cluster { get; private set; } = null!;

    public HostProcess Web { get; private set; } = null!;

    public HostProcess Worker { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    /// <summary>How many times the restart scenarios repeat (<c>HANGFIREAPP_FAULTS_RUNS</c>; ops/faults.sh sets it).</summary>
    public static int Runs { get; } = int.TryParse(Environment.GetEnvironmentVariable("HANGFIREAPP_FAULTS_RUNS"), CultureInfo.InvariantCulture, out var runs) && runs > 0 ? runs : 1;

    /// <summary>With <c>HANGFIREAPP_FAULTS_TIMINGS=production</c> the hosts keep the shipped heartbeat, stall timeout and
    /// sweep interval (2 s, 30 s, 15 s); otherwise shorter ones (1 s, 10 s, 10 s) keep the suite quick.</summary>
    public static bool ProductionTimings { get; } = Environment.GetEnvironmentVariable("HANGFIREAPP_FAULTS_TIMINGS") == "production";

    public async ValueTask InitializeAsync()
    {
        Cluster = await FaultCluster.StartAsync();
        await Cluster.CreateDatabaseAsync(DatabaseName);
        // The web host migrates; the worker starts after it so two hosts never race for the first migration.
        Web = await StartHostAsync("web");
        Worker = await StartHostAsync("worker");
        Api = new HttpClient { BaseAddress = Web.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
        Api.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
    }

    public string ConnectionString(bool pooling = false, string? applicationName = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(Cluster.ConnectionString(DatabaseName, pooling));
        if (applicationName is not null)
        {
            builder.ApplicationName = applicationName;
        }
        return builder.ConnectionString;
    }

    public static Dictionary<string, string> HostSettings(string role, string connectionString)
    {
        var settings = new Dictionary<string, string>
        {
            ["App:Role"] = role,
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Auth:BootstrapAdminKey"] = AdminKey,
            ["Hangfire:HeartbeatInterval"] = "00:00:02",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["WorkerTypes:bench:Enabled"] = "true",
            ["WorkerTypes:bench:ChunkSize"] = "20",
            ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "4",
            ["WorkerTypes:bench:ItemTimeout"] = "00:00:10",
            // Each fault may cost a chunk an attempt (a rescue counts as one): room for several faults in a row.
            ["WorkerTypes:bench:Retry:Attempts"] = "5",
            ["WorkerTypes:bench:Retry:DelaysSeconds:0"] = "1",
            ["Hangfire:Servers:0:Name"] = "faults",
            ["Hangfire:Servers:0:Queues:0"] = "bench",
            ["Hangfire:Servers:0:Queues:1"] = "default",
            ["Hangfire:Servers:0:WorkerCount"] = "4",
        };
        if (!ProductionTimings)
        {
            settings["Chunks:HeartbeatInterval"] = "00:00:01";
            settings["Chunks:FlushInterval"] = "00:00:00.200";
            settings["Sweeps:Interval"] = "00:00:10";
            settings["Sweeps:StallTimeout"] = "00:00:10";
        }
        // ops/faults.sh --set key=value: to measure an alternative (e.g. a short DistributedLockTimeout) side by side.
        foreach (var pair in (Environment.GetEnvironmentVariable("HANGFIREAPP_FAULTS_HOST_SETTINGS") ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, value) = (pair[..pair.IndexOf('=', StringComparison.Ordinal)], pair[(pair.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Starts another host process on the fault database and waits until it is ready.</summary>
    public async Task<HostProcess> StartHostAsync(string role, IDictionary<string, string>? extra = null, string? applicationName = null)
    {
        var settings = HostSettings(role, ConnectionString(pooling: true, applicationName));
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            settings[key] = value;
        }
        var host = HostProcess.Start(settings);
        try
        {
            await host.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
        return host;
    }

    /// <summary>A bench batch whose items each take <paramref name="delayMs"/>, with a continuation that starts a second batch.</summary>
    public async Task<long> SubmitAsync(int items, int delayMs, string description)
    {
        var body = new
        {
            workerType = "bench",
            items = Enumerable.Repeat(new { delayMs }, items).ToArray(),
            description,
            continuation = new { next = new { workerType = "bench" } },
        };
        var key = Guid.NewGuid().ToString("N");
        // A client's way through a database restart: a 503 says "nothing was written, come back"; the idempotency
        // key makes the repeat safe anyway.
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(body) };
            request.Headers.Add("Idempotency-Key", key);
            using var response = await Api.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
            {
                await Task.Delay(response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1));
                continue;
            }
            ((int)response.StatusCode).ShouldBeOneOf([200, 202], text);
            using var json = JsonDocument.Parse(text);
            return json.RootElement.GetProperty("id").GetInt64();
        }
    }

    /// <summary>Waits until the batch has at least <paramref name="fraction"/> of its items succeeded (read from the tables).</summary>
    public Task WaitProgressAsync(long batchId, double fraction) =>
        Eventually.Until(
            () => ScalarAsync("select coalesce((select count(*) from app.items where batch_id = @b and state = 'succeeded')::float8 / nullif(total_items, 0), 0) from app.batches where id = @b", ("b", batchId)),
            done => done >= fraction, TimeSpan.FromSeconds(60), $"batch {batchId} to pass {fraction:P0}");

    /// <summary>Waits until no batch in the database is open any more; returns how long that took. Reads the tables on a
    /// fresh connection each time, so the test's own view survives the restarts it causes.</summary>
    public async Task<TimeSpan> WaitAllFinalAsync(TimeSpan timeout)
    {
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await Eventually.Until(async () =>
            {
                try
                {
                    return await ScalarAsync("select count(*) from app.batches where state in ('created', 'running')");
                }
                catch (NpgsqlException)
                {
                    return -1; // still coming back
                }
            }, open => open == 0, timeout, "every batch to become final");
        }
        catch (TimeoutException e)
        {
            // What a stall looks like from inside: the open chunks with their jobs, and what the hosts said last.
            throw new TimeoutException($"{e.Message}\nOpen chunks: {await OpenChunksAsync()}\n--- worker (last lines) ---\n{Tail(Worker.Output)}\n--- web (last lines) ---\n{Tail(Web.Output)}", e);
        }
        return stopwatch.Elapsed;
    }

    private async Task<string> OpenChunksAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("""
            select string_agg(format('chunk %s %s attempt %s epoch %s heartbeat %s job %s %s fetched %s',
                       c.id, c.state, c.attempt, c.lease_epoch, c.heartbeat_at, c.hangfire_job_id, j.statename, q.fetchedat), '; ')
            from app.chunks c
            left join hangfire.job j on j.id = c.hangfire_job_id::bigint
            left join hangfire.jobqueue q on q.jobid = j.id
            where c.state in ('queued', 'running')
            """, connection);
        return (await command.ExecuteScalarAsync())?.ToString() ?? "none";
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(30));

    public async Task<double> ScalarAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(ConnectionString());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToDouble(await command.ExecuteScalarAsync() ?? 0, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        Api?.Dispose();
        if (Worker is not null)
        {
            await Worker.DisposeAsync();
        }
        if (Web is not null)
        {
            await Web.DisposeAsync();
        }
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class FaultScenarios : ICollectionFixture<FaultFixture>
{
    public const string Name = "faults";
}
