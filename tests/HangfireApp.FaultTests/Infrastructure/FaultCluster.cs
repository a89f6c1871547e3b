using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace HangfireApp.FaultTests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the fault tests' own, on a free port in a fresh folder, created by <c>ops/pg.sh</c> (the
/// same Debian binaries and settings as the shared cluster), so restarting or freezing it disturbs no other test.
/// As root the server runs as <c>postgres</c>, as pg.sh runs it. Stopped and removed on dispose.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    private readonly string _bin;
    private readonly bool _asPostgres;

    private FaultCluster(int port, string dataDirectory, string bin, bool asPostgres)
    {
        Port = port;
        DataDirectory = dataDirectory;
        _bin = bin;
        _asPostgres = asPostgres;
    }

    public int Port { get; }

    public string DataDirectory { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static async Task<FaultCluster> StartAsync()
    {
        var port = FreePort();
        var asPostgres = Environment.UserName == "root";
        // The postgres user cannot reach a checkout inside a private home (e.g. /root): pg.sh's own fallback folder.
        var data = asPostgres
            ? $"/var/tmp/hangfireapp-faults-{port}"
            : Path.Combine(RepositoryRoot, ".local", $"faults-pg-{port}");
        await RunAsync("bash", [Path.Combine(RepositoryRoot, "ops", "pg.sh")], new()
        {
            ["HANGFIREAPP_PG_PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["HANGFIREAPP_PG_DIR"] = data,
        }, asPostgres: false);
        var bin = Directory.GetDirectories("/usr/lib/postgresql")
            .Select(dir => Path.Combine(dir, "bin"))
            .Where(dir => File.Exists(Path.Combine(dir, "pg_ctl")))
            .OrderBy(dir => int.Parse(Path.GetFileName(Path.GetDirectoryName(dir)!), CultureInfo.InvariantCulture))
            .Last();
        return new FaultCluster(port, data, bin, asPostgres);
    }

    /// <summary>The app role's connection to database <paramref name="database"/>; pooling off for the tests' own checks,
    /// so a restart never leaves them a dead pooled connection.</summary>
    public string ConnectionString(string database, bool pooling = true) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Database = database, Username = "hangfireapp", Password = "hangfireapp",
        Pooling = pooling, MaxPoolSize = 60,
    }.ConnectionString;

    public async Task CreateDatabaseAsync(string name)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres", pooling: false));
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"create database {name}", connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary><c>pg_ctl restart -m fast|immediate</c>; returns once the server accepts connections again.</summary>
    public Task RestartAsync(string mode) =>
        PgCtlAsync("restart", "-m", mode, "-w", "-t", "60", "-l", Path.Combine(DataDirectory, "server.log"));

    /// <summary>SIGSTOP to the postmaster and every server process for <paramref name="duration"/>, then SIGCONT:
    /// connections stay open but nothing answers, as when a database host stalls.</summary>
    public async Task FreezeAsync(TimeSpan duration)
    {
        var postmaster = int.Parse((await File.ReadAllLinesAsync(Path.Combine(DataDirectory, "postmaster.pid")))[0], CultureInfo.InvariantCulture);
        int[] processes = [postmaster, .. ChildrenOf(postmaster)];
        await SignalAsync("STOP", processes);
        try
        {
            await Task.Delay(duration);
        }
        finally
        {
            await SignalAsync("CONT", processes);
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await PgCtlAsync("stop", "-m", "immediate", "-w", "-t", "60");
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
        {
            TestContext.Current.SendDiagnosticMessage($"Could not remove the fault cluster in {DataDirectory}: {e.Message}");
        }
    }

    private Task PgCtlAsync(params string[] arguments) =>
        RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, .. arguments], [], _asPostgres);

    private static async Task SignalAsync(string signal, int[] processes)
    {
        try
        {
            await RunAsync("kill", [$"-{signal}", .. processes.Select(pid => pid.ToString(CultureInfo.InvariantCulture))], [], asPostgres: false);
        }
        catch (InvalidOperationException) when (processes.Any(pid => !Directory.Exists($"/proc/{pid}")))
        {
            // A server process that was already exiting when the list was taken (an autovacuum worker, a backend whose
            // client closed) is gone; kill signalled every other one, which is all a freeze needs.
        }
    }

    private static IEnumerable<int> ChildrenOf(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // exited meanwhile
            }
            // pid (comm) state ppid ...: comm may hold spaces, so read after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (int.Parse(fields[1], CultureInfo.InvariantCulture) == parent)
            {
                yield return pid;
            }
        }
    }

    private static async Task RunAsync(string file, string[] arguments, Dictionary<string, string> environment, bool asPostgres)
    {
        var info = asPostgres
            ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", file, .. arguments])
            : new ProcessStartInfo(file, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.UseShellExecute = false;
        // The postgres user may not be able to enter the test's working directory.
        info.WorkingDirectory = asPostgres ? "/" : RepositoryRoot;
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ops", "pg.sh")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"ops/pg.sh not found above {AppContext.BaseDirectory}");
    }
}
