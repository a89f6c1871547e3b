using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace HangfireApp.Benchmarks;

/// <summary>The host as a separate OS process (Release build) on its own fresh database, bench worker type on.</summary>
internal sealed class BenchHost : IAsyncDisposable
{
    private const string Key = "bench-admin-key";
    private const string DashboardUser = "bench-operator";
    private const string DashboardPassword = "bench-operator-password";
    private readonly Process _process;
    private readonly string _adminConnection;
    private readonly string _database;
    private readonly NpgsqlDataSource _db;
    private readonly HttpClient _http;
    private readonly HttpClient _dashboard;
    private long _peakRssKb;
    private readonly Timer _sampler;

    private readonly bool _ownsDatabase;

    private BenchHost(Process process, string adminConnection, string database, string connectionString, int port, bool ownsDatabase = true)
    {
        _ownsDatabase = ownsDatabase;
        _process = process;
        _adminConnection = adminConnection;
        _database = database;
        ConnectionString = connectionString;
        _db = NpgsqlDataSource.Create(connectionString);
        _http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
        _http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        // The dashboard is a browser's: its own login cookie, no API key.
        _dashboard = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true })
        {
            BaseAddress = _http.BaseAddress,
            Timeout = TimeSpan.FromMinutes(1),
        };
        // VmHWM would also do, but sampling shows the same peak and works for any process we start.
        _sampler = new Timer(_ => SampleRss(), null, 0, 50);
    }

    public string ConnectionString { get; }

    /// <param name="serverConnection">The PostgreSQL server; the host gets a fresh database on it.</param>
    /// <param name="settings">The host's settings (configuration keys).</param>
    /// <param name="ownSession">Start the host in a session of its own (<c>setsid</c>), as a service manager would: with
    /// the kernel's autogroup scheduling, CPU is shared per session, so hosts in the benchmark's session share its one
    /// slice of a busy machine.</param>
    public static async Task<BenchHost> StartAsync(string serverConnection, Dictionary<string, string> settings, bool ownSession = false)
    {
        var database = $"hf_bench_{DateTime.UtcNow:HHmmss}_{Guid.NewGuid():N}"[..32];
        var admin = new NpgsqlConnectionStringBuilder(serverConnection) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"create database {database}", connection);
            await create.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(serverConnection) { Database = database, MaxPoolSize = 100 }.ConnectionString;
        return await LaunchAsync(admin, database, connectionString, settings, ownsDatabase: true, ownSession);
    }

    /// <summary>A second host process on <paramref name="first"/>'s database (scale-out): it leaves the database to the first.</summary>
    public static Task<BenchHost> JoinAsync(BenchHost first, Dictionary<string, string> settings, bool ownSession = false) =>
        LaunchAsync(first._adminConnection, first._database, first.ConnectionString, settings, ownsDatabase: false, ownSession);

    private static async Task<BenchHost> LaunchAsync(string admin, string database, string connectionString, Dictionary<string, string> settings, bool ownsDatabase, bool ownSession)
    {
        var port = FreePort();
        string[] command = ["dotnet", Path.Combine(AppContext.BaseDirectory, "HangfireApp.dll"), "--urls", $"http://127.0.0.1:{port}"];
        // setsid execs the host in place (the child is no group leader), so the process id stays the host's.
        var info = new ProcessStartInfo(ownSession ? "setsid" : command[0], ownSession ? command : command[1..])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["Auth__BootstrapAdminKey"] = Key;
        info.Environment["Auth__Users__0__Name"] = DashboardUser;
        info.Environment["Auth__Users__0__Role"] = "operator";
        info.Environment["Auth__Users__0__PasswordHash"] = HangfireApp.Auth.PasswordHashes.Hash(DashboardPassword);
        info.Environment["WorkerTypes__bench__Enabled"] = "true";
        info.Environment["Serilog__MinimumLevel__Default"] = "Warning";
        info.Environment["Batches__MaxItemsPerRequest"] = "1000000";
        foreach (var (key, value) in settings)
        {
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { Console.Error.WriteLine($"[host] {e.Data}"); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var host = new BenchHost(process, admin, database, connectionString, port, ownsDatabase);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await host._http.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode == HttpStatusCode.OK)
                {
                    return host;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("Host did not become ready");
    }

    public async Task<long> SubmitAsync(object body)
    {
        using var response = await _http.PostAsJsonAsync("/api/batches", body);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Submit failed: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>Signs the dashboard client in as an operator through the login form, as a browser would.</summary>
    public async Task SignInToDashboardAsync()
    {
        var form = await _dashboard.GetStringAsync(new Uri("/account/login", UriKind.Relative));
        var token = System.Text.RegularExpressions.Regex.Match(form, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">");
        using var login = await _dashboard.PostAsync(new Uri("/account/login", UriKind.Relative), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [WebUtility.HtmlDecode(token.Groups[1].Value)] = WebUtility.HtmlDecode(token.Groups[2].Value),
            ["username"] = DashboardUser,
            ["password"] = DashboardPassword,
        }));
        if (login.StatusCode != HttpStatusCode.Redirect || login.Headers.Location?.ToString().Contains("/account/login", StringComparison.Ordinal) == true)
        {
            throw new InvalidOperationException($"Dashboard login failed: {(int)login.StatusCode} {login.Headers.Location}");
        }
    }

    /// <summary>GETs a dashboard page or JSON route, reads it whole and returns its size; throws on a non-success status.</summary>
    public async Task<long> GetPageAsync(string path)
    {
        using var response = await _dashboard.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsByteArrayAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} failed: {(int)response.StatusCode}");
        }
        return body.Length;
    }

    /// <summary>GETs a path with the API key and returns the body as text; throws on a non-success status.</summary>
    public async Task<string> GetTextAsync(string path)
    {
        using var response = await _http.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"GET {path} failed: {(int)response.StatusCode}");
        }
        return text;
    }

    /// <summary>Posts without a body (an action such as a cancel); throws on a non-success status.</summary>
    public async Task PostActionAsync(string path)
    {
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), null);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>Posts a body to the API and returns the answer's JSON; throws on a non-success status.</summary>
    public async Task<JsonElement> PostAsync(string path, HttpContent content)
    {
        using var response = await _http.PostAsync(new Uri(path, UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"POST {path} failed: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public Task WaitFinalAsync(long id, TimeSpan timeout, int pollMs = 25) =>
        UntilAsync(async () => await ScalarAsync<string>("select state from app.batches where id = @id", id) is not ("created" or "running"),
            timeout, $"batch {id} to be final", pollMs);

    /// <summary>
    /// The harness's wait for a condition (the tests' <c>Eventually</c>): polls <paramref name="done"/> every
    /// <paramref name="pollMs"/> until it holds; a timeout names what was awaited. The poll interval is short because
    /// the harness times what it waits for; each poll is one cheap query on the same cores, so keep it cheap.
    /// </summary>
    public static async Task UntilAsync(Func<Task<bool>> done, TimeSpan timeout, string what, int pollMs = 20)
    {
        var clock = Stopwatch.StartNew();
        while (!await done())
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Waited {timeout} for {what}.");
            }
            await Task.Delay(pollMs);
        }
    }

    /// <summary>Methods the host's JIT has compiled and the time it spent (the runtime's <c>System.Runtime</c> meter, in /metrics).</summary>
    public async Task<(double Methods, double Seconds)> JitAsync()
    {
        var runtime = await RuntimeAsync();
        return (runtime.JitMethods, runtime.JitSeconds);
    }

    /// <summary>The runtime's counters so far, from one read of the host's /metrics (the <c>System.Runtime</c> meter): JIT-compiled
    /// methods and JIT time, garbage collections by generation, their pause time, bytes allocated; and the host's job fetches
    /// that took a job or found nothing.</summary>
    public async Task<RuntimeCounters> RuntimeAsync()
    {
        var text = await GetTextAsync("/metrics");
        var counters = new RuntimeCounters();
        foreach (var line in text.Split('\n'))
        {
            var space = line.LastIndexOf(' ');
            if (!(line.StartsWith("system_runtime_dotnet_", StringComparison.Ordinal) || line.StartsWith("hangfireapp_job_fetches_total", StringComparison.Ordinal)) || space < 0)
            {
                continue;
            }
            var value = double.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            counters = line[..space] switch
            {
                "system_runtime_dotnet_jit_compiled_methods" => counters with { JitMethods = value },
                "system_runtime_dotnet_jit_compilation_time" => counters with { JitSeconds = value },
                "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen0\"}" => counters with { Gen0 = (long)value },
                "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen1\"}" => counters with { Gen1 = (long)value },
                "system_runtime_dotnet_gc_collections{gc_heap_generation=\"gen2\"}" => counters with { Gen2 = (long)value },
                "system_runtime_dotnet_gc_pause_time" => counters with { GcPauseSeconds = value },
                "system_runtime_dotnet_gc_heap_total_allocated" => counters with { Allocated = value },
                "hangfireapp_job_fetches_total{outcome=\"job\"}" => counters with { Fetched = value },
                "hangfireapp_job_fetches_total{outcome=\"empty\"}" => counters with { FoundNothing = value },
                _ => counters,
            };
        }
        return counters;
    }

    public sealed record RuntimeCounters(double JitMethods = 0, double JitSeconds = 0, long Gen0 = 0, long Gen1 = 0, long Gen2 = 0, double GcPauseSeconds = 0, double Allocated = 0,
        double Fetched = 0, double FoundNothing = 0)
    {
        /// <summary>Two hosts' counters together.</summary>
        public static RuntimeCounters operator +(RuntimeCounters a, RuntimeCounters b) => new(a.JitMethods + b.JitMethods, a.JitSeconds + b.JitSeconds,
            a.Gen0 + b.Gen0, a.Gen1 + b.Gen1, a.Gen2 + b.Gen2, a.GcPauseSeconds + b.GcPauseSeconds, a.Allocated + b.Allocated,
            a.Fetched + b.Fetched, a.FoundNothing + b.FoundNothing);
    }

    /// <summary>
    /// Until the host's background JIT (tiering up what a warm-up ran) has settled: fewer than 5 methods compiled in
    /// half a second (the /metrics read itself compiles a few). Instead of a fixed pause, which is too short on a busy
    /// machine and wasted on a quiet one.
    /// </summary>
    public async Task UntilJitIdleAsync()
    {
        var last = await JitAsync();
        await UntilAsync(async () =>
        {
            var now = await JitAsync();
            var settled = now.Methods - last.Methods < 5;
            last = now;
            return settled;
        }, TimeSpan.FromSeconds(60), "the host's JIT to settle", pollMs: 500);
    }

    public async Task<T> ScalarAsync<T>(string sql, long id)
    {
        await using var command = _db.CreateCommand(sql);
        command.Parameters.AddWithValue("id", id);
        return (T)Convert.ChangeType((await command.ExecuteScalarAsync())!, typeof(T), CultureInfo.InvariantCulture);
    }

    public async Task<double> ScalarMsAsync(string sql, long id) => Convert.ToDouble(await ScalarAsync<decimal>(sql, id), CultureInfo.InvariantCulture);

    /// <summary>CPU time (user + system) the host process has used so far.</summary>
    public TimeSpan CpuTime()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <summary>
    /// CPU ticks (user + system, 1/100 s) used so far by each PostgreSQL backend connected to this host's database
    /// (its pools, the benchmark's own connection, autovacuum workers on it), from /proc. A backend that exits between
    /// two snapshots loses its ticks; the pools keep theirs open, so that is rare.
    /// </summary>
    public async Task<Dictionary<int, long>> DatabaseCpuTicksAsync()
    {
        var ticks = new Dictionary<int, long>();
        await using var command = _db.CreateCommand("select pid from pg_stat_activity where datname = current_database()");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var pid = reader.GetInt32(0);
            try
            {
                ticks[pid] = ProcStatTicks(await File.ReadAllTextAsync($"/proc/{pid}/stat"));
            }
            catch (IOException)
            {
                // Gone (or not on this machine's /proc): not counted.
            }
        }
        return ticks;
    }

    /// <summary>The database's CPU seconds between two <see cref="DatabaseCpuTicksAsync"/> snapshots.</summary>
    public static double DatabaseCpuSeconds(Dictionary<int, long> before, Dictionary<int, long> after) =>
        after.Sum(backend => backend.Value - before.GetValueOrDefault(backend.Key)) / 100.0;

    /// <summary>CPU time (user + system) of the host's threads whose name starts with <paramref name="prefix"/> (e.g. its OCR threads).</summary>
    public TimeSpan ThreadCpuTime(string prefix)
    {
        long ticks = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                ticks += ProcStatTicks(File.ReadAllText(Path.Combine(task, "stat")));
            }
            catch (IOException)
            {
                // the thread ended between the listing and the read
            }
        }
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>CPU time of the host's threads grouped by name (digits dropped: "ocr-0" and "ocr-1" are one group).</summary>
    public Dictionary<string, TimeSpan> ThreadCpuByName()
    {
        var groups = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        foreach (var task in Directory.EnumerateDirectories($"/proc/{_process.Id}/task"))
        {
            try
            {
                var name = new string([.. File.ReadAllText(Path.Combine(task, "comm")).Trim().Where(c => !char.IsDigit(c))]).Trim();
                groups[name] = groups.GetValueOrDefault(name) + TimeSpan.FromSeconds(ProcStatTicks(File.ReadAllText(Path.Combine(task, "stat"))) / 100.0);
            }
            catch (IOException)
            {
            }
        }
        return groups;
    }

    /// <summary>utime + stime of a /proc/…/stat line, in clock ticks (100 a second on Linux).</summary>
    public static long ProcStatTicks(string stat)
    {
        // The command name (field 2) may hold spaces; the fields after its closing parenthesis are fixed.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The host's operating-system process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>Starts a new peak: the next <see cref="PeakRssMb"/> is the highest RSS from now on.</summary>
    public void ResetPeakRss()
    {
        Interlocked.Exchange(ref _peakRssKb, 0);
        SampleRss();
    }

    public long PeakRssMb()
    {
        SampleRss();
        return Interlocked.Read(ref _peakRssKb) / 1024;
    }

    public async ValueTask DisposeAsync()
    {
        await _sampler.DisposeAsync();
        _http.Dispose();
        _dashboard.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await _db.DisposeAsync();
        if (!_ownsDatabase)
        {
            return;
        }
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnection);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {_database} with (force)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    private void SampleRss()
    {
        try
        {
            var line = File.ReadLines($"/proc/{_process.Id}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (line is not null && long.TryParse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], out var kb) && kb > Interlocked.Read(ref _peakRssKb))
            {
                Interlocked.Exchange(ref _peakRssKb, kb);
            }
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
