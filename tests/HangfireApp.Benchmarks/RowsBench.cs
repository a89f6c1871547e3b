using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Benchmarks;

/// <summary>
/// <c>--rows</c>: N CSV rows enriched through a local HTTP endpoint that answers each call after 100 ms. The engine
/// run (upload → batch → chunks on the host process → output CSV) is measured against the old way in the same
/// run: the same calls made one at a time in a loop, on a sample of the rows (a full sequential run of 10,000
/// rows takes over 1,000 s; the rate of a sample is the same rate). Efficiency is the achieved rate against the
/// ideal for the in-flight limit: <c>maxInFlight / 0.1 s</c>.
/// </summary>
internal static class RowsBench
{
    private const double LatencySeconds = 0.1;

    public static async Task<int> RunAsync(string server, int rows, int inFlight, int chunkSize, int parallelism, int workers, int baselineRows)
    {
        Console.WriteLine($"## Rows benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC on {Environment.ProcessorCount} cores");
        await using var endpoint = await StartEndpointAsync();
        var settings = new Dictionary<string, string>
        {
            ["WorkerTypes:bench:Enabled"] = "false",
            ["WorkerTypes:rows:ChunkSize"] = chunkSize.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:rows:MaxDegreeOfParallelism"] = parallelism.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:rows:MaxRows"] = rows.ToString(CultureInfo.InvariantCulture),
            ["WorkerTypes:rows:AllowedNetworks:0"] = "127.0.0.1", // the stand-in API is on loopback
        };
        if (workers > 0)
        {
            settings["Hangfire:Servers:0:Name"] = "rows";
            settings["Hangfire:Servers:0:Queues:0"] = "rows";
            settings["Hangfire:Servers:0:Queues:1"] = "default";
            settings["Hangfire:Servers:0:WorkerCount"] = workers.ToString(CultureInfo.InvariantCulture);
        }
        Console.WriteLine($"- Settings: {rows:N0} rows, endpoint latency {LatencySeconds * 1000:0} ms, maxInFlight {inFlight}, chunk size {chunkSize}, " +
            $"{parallelism} in flight per chunk, {(workers > 0 ? $"{workers} workers" : "the default workers")}");
        await using var host = await BenchHost.StartAsync(server, settings);

        var csv = new StringBuilder("id,email\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{i},user{i}@example.com\n");
        }
        var call = JsonSerializer.Serialize(new { urlTemplate = endpoint.Url + "score/{id}?email={email}", maxInFlight = inFlight, timeoutSeconds = 10 });
        var hostCpu = host.CpuTime();
        var ownCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var load = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";
        var started = Stopwatch.StartNew();
        long id;
        using (var content = new MultipartFormDataContent())
        {
            var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString()));
            file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            content.Add(file, "file", "rows.csv");
            content.Add(new StringContent(call), "call");
            id = (await host.PostAsync("/api/rows/csv", content)).GetProperty("batch").GetProperty("id").GetInt64();
        }
        var uploadMs = started.ElapsedMilliseconds;
        await host.WaitFinalAsync(id, TimeSpan.FromMinutes(10));
        var finalSeconds = started.Elapsed.TotalSeconds;
        while (await host.ScalarAsync<long>("select count(*) from app.batch_outputs where batch_id = @id", id) == 0)
        {
            await Task.Delay(25);
        }
        var outputSeconds = started.Elapsed.TotalSeconds;
        var hostCpuMs = (host.CpuTime() - hostCpu).TotalMilliseconds;
        var endpointCpuMs = (Process.GetCurrentProcess().TotalProcessorTime - ownCpu).TotalMilliseconds;
        var loadAfter = File.Exists("/proc/loadavg") ? (await File.ReadAllTextAsync("/proc/loadavg")).Split(' ')[0] : "?";
        var failed = await host.ScalarAsync<long>("select count(*) from app.items where batch_id = @id and state <> 'succeeded'", id);
        var firstCall = await host.ScalarMsAsync("select extract(epoch from (min(c.started_at) - b.created_at)) * 1000 from app.batches b join app.chunks c on c.batch_id = b.id where b.id = @id group by b.created_at", id);
        var runSeconds = await host.ScalarMsAsync("select extract(epoch from (b.finished_at - min(c.started_at))) * 1000 from app.batches b join app.chunks c on c.batch_id = b.id where b.id = @id group by b.finished_at", id) / 1000;
        var engineRate = rows / finalSeconds;
        var ideal = inFlight / LatencySeconds;
        Console.WriteLine($"- Engine: upload answered in {uploadMs} ms, first chunk started {firstCall:0} ms after the batch was created, " +
            $"all rows final in {finalSeconds:0.00} s, output.csv stored at {outputSeconds:0.00} s; {failed} rows not succeeded; " +
            $"peak endpoint concurrency {endpoint.Peak}");
        Console.WriteLine($"- CPU: host {hostCpuMs / rows:0.00} ms per row ({hostCpuMs / 1000:0.0} s in all), endpoint and client process {endpointCpuMs / rows:0.00} ms per row; " +
            $"load average {load} before, {loadAfter} after (on {Environment.ProcessorCount} cores)");
        Console.WriteLine($"- Engine rate: **{engineRate:N0} rows/s** (upload → final) of an ideal {ideal:N0}/s → efficiency **{engineRate / ideal:0.00}** " +
            $"({rows / outputSeconds:N0} rows/s up to the stored output.csv → {rows / outputSeconds / ideal:0.00}; " +
            $"first chunk start → batch final {runSeconds:0.00} s: {rows / runSeconds:N0} rows/s → {rows / runSeconds / ideal:0.00})");

        // The old way: one row at a time, the same request to the same endpoint, from this process.
        using var http = new HttpClient();
        var sample = Math.Min(baselineRows, rows);
        var loop = Stopwatch.StartNew();
        for (var i = 1; i <= sample; i++)
        {
            using var response = await http.GetAsync(new Uri($"{endpoint.Url}score/{i}?email={Uri.EscapeDataString($"user{i}@example.com")}"));
            response.EnsureSuccessStatusCode();
            await response.Content.ReadAsStringAsync();
        }
        var baselineRate = sample / loop.Elapsed.TotalSeconds;
        Console.WriteLine($"- Baseline (one row at a time): {sample:N0} rows in {loop.Elapsed.TotalSeconds:0.0} s: **{baselineRate:0.00} rows/s** " +
            $"({rows:N0} rows would take {rows / baselineRate:N0} s)");
        Console.WriteLine($"- Speed-up engine / sequential: **{engineRate / baselineRate:0}×** (ideal for maxInFlight {inFlight}: {ideal / baselineRate:0}×); " +
            $"peak RSS of the host {host.PeakRssMb()} MB");
        return failed == 0 ? 0 : 1;
    }

    private static async Task<Endpoint> StartEndpointAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new Endpoint(app);
        app.MapGet("/score/{id}", async (string id, string? email) =>
        {
            endpoint.Enter();
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(LatencySeconds));
                return Results.Json(new { id, email, score = id.Length * 7 % 100, tier = "gold" });
            }
            finally
            {
                endpoint.Leave();
            }
        });
        await app.StartAsync();
        endpoint.Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + "/";
        return endpoint;
    }

    private sealed class Endpoint(WebApplication app) : IAsyncDisposable
    {
        private int _current;
        private int _peak;

        public string Url { get; set; } = "";

        public int Peak => _peak;

        public void Enter()
        {
            var now = Interlocked.Increment(ref _current);
            int seen;
            while ((seen = Volatile.Read(ref _peak)) < now && Interlocked.CompareExchange(ref _peak, now, seen) != seen)
            {
            }
        }

        public void Leave() => Interlocked.Decrement(ref _current);

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
