using System.Globalization;
using System.Diagnostics;
using System.Net.Http.Headers;
using HangfireApp.Workers.Documents.Native;

namespace HangfireApp.Benchmarks;

/// <summary>
/// The documents benchmark (issue 11): N scan-like 300 dpi pages through the whole pipeline (preprocessing → ocr →
/// nlp → validation, one host on 2 OCR threads), against the <c>tesseract</c> command line one page at a time with
/// Debian's defaults and with <c>OMP_THREAD_LIMIT=1</c>, in the same run on the same pages; the host's peak RSS; and a
/// second host process on the same database taking part of the same batch.
/// </summary>
internal static class DocumentsBench
{
    private static readonly string[] Words =
    [
        "invoice", "delivery", "payment", "total", "amount", "customer", "supplier", "order", "quantity", "price", "tax", "net", "gross",
        "account", "reference", "service", "period", "office", "street", "London", "Berlin", "terms", "within", "days", "please", "transfer",
        "the", "of", "and", "to", "for", "with", "on", "by", "our", "your", "number", "date", "item", "unit", "description", "discount",
    ];

    public static async Task<int> RunAsync(string server, int pageCount, bool cli, Action<string> report)
    {
        var folder = Directory.CreateTempSubdirectory("documents-bench-").FullName;
        try
        {
            var pages = Render(folder, pageCount);
            report($"## Documents benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load before: {Load()}");
            report("");
            report($"{pageCount} scan-like A4 pages at 300 dpi (8-bit gray PNG, ~40 lines of 11 pt text, skewed ±2°, noise σ 12), the same files for every run.");
            report("");

            TimeSpan? cliDefault = null, cliTuned = null, cliTunedCpu = null;
            if (cli)
            {
                var (defaultWall, defaultCpu) = await RunCliAsync(pages, ompLimit: null);
                cliDefault = defaultWall;
                report($"1. `tesseract` CLI, one page at a time, Debian defaults (OpenMP on every core): **{defaultWall.TotalSeconds:0.0} s** "
                    + $"({pageCount / defaultWall.TotalSeconds:0.00} pages/s; CPU {defaultCpu.TotalSeconds:0.0} s, {defaultCpu.TotalSeconds / pageCount:0.00} s/page); load now {Load()}");
                var (tunedWall, tunedCpu) = await RunCliAsync(pages, ompLimit: "1");
                cliTuned = tunedWall;
                cliTunedCpu = tunedCpu;
                report($"2. `tesseract` CLI, one page at a time, `OMP_THREAD_LIMIT=1`: **{tunedWall.TotalSeconds:0.0} s** "
                    + $"({pageCount / tunedWall.TotalSeconds:0.00} pages/s; CPU {tunedCpu.TotalSeconds:0.0} s, {tunedCpu.TotalSeconds / pageCount:0.00} s/page); load now {Load()}");
            }

            await using (var host = await BenchHost.StartAsync(server, HostSettings("bench-a")))
            {
                // A service runs for days: its first pages also pay for the JIT compilation of every code path, which a
                // run of the first batch of a fresh process would count as pipeline time. One page first, reported apart.
                var warmUp = await RunPipelineAsync([host], pages.Take(1).ToList());
                report($"3. Warm-up of the fresh host: 1 page through the pipeline in {warmUp.Seconds:0.0} s, host CPU {warmUp.HostCpu.TotalSeconds:0.0} s; load now {Load()}");
                var run = await RunPipelineAsync([host], pages);
                report($"   Pipeline (preprocessing → ocr → nlp → validation), one host, 2 OCR threads: submit → every document final in **{run.Seconds:0.0} s** "
                    + $"({pageCount / run.Seconds:0.00} pages/s); host peak RSS **{run.PeakRssMb} MB**; outcomes {run.Statuses}; load now {Load()}");
                if (cliDefault is { } d && cliTuned is { } t)
                {
                    report($"   → **{d.TotalSeconds / run.Seconds:0.0}×** the default CLI (target ≥ 5×), **{t.TotalSeconds / run.Seconds:0.00}×** the tuned CLI (target ≥ 1.6×)");
                    // On an idle 2-core machine the CLI's wall time is its CPU time (one thread) and the pipeline's at best half
                    // its CPU time (host + database on both cores): the CPU ratio says what a quiet run can reach, whatever the load now.
                    var pipelineCpu = run.HostCpu + run.PostgresCpu;
                    report($"   CPU per page: tuned CLI {cliTunedCpu!.Value.TotalSeconds / pageCount:0.00} s, pipeline {pipelineCpu.TotalSeconds / pageCount:0.00} s (host + its database backends) "
                        + $"→ on 2 idle cores at most **{2 * cliTunedCpu.Value.TotalSeconds / pipelineCpu.TotalSeconds:0.00}×** the tuned CLI");
                }
                report($"   Stages (wall, submit → stage final; host CPU in that span): {run.Stages}");
                report($"   CPU: host {run.HostCpu.TotalSeconds:0.0} s ({run.HostCpu.TotalSeconds / pageCount:0.00} s/page), of it the OCR threads (Tesseract) "
                    + $"{run.OcrCpu.TotalSeconds:0.0} s ({run.OcrCpu.TotalSeconds / pageCount:0.00} s/page); this database's PostgreSQL backends ~{run.PostgresCpu.TotalSeconds:0.0} s");
                report($"   Host CPU by thread (threads alive at the end; pool threads that retired in between are missing): {run.Threads}");
                report($"   OCR: {await host.ScalarAsync<string>("""
                    select format('%s pages, mean confidence %s', count(*), round(avg(confidence)::numeric, 1)) from app.document_pages where @id = @id
                    """, 0)}");

                var cancel = await MeasureCancelAsync(host, pages.Take(Math.Min(pages.Count, 6)).ToList());
                report($"4. Cancel, one host: the ocr batch cancelled while both OCR threads were reading pages → Tesseract stopped (the OCR threads' CPU time "
                    + $"stops growing, sampled every 10 ms) after **{cancel.StoppedMs:0} ms**; the cancel call answered in {cancel.CallMs:0} ms; the batch was "
                    + $"`cancelled` after {cancel.BatchMs:0} ms; pages read before the cancel: {cancel.PagesDone}; load now {Load()}");
            }

            // Both hosts up before the submit, each with a Hangfire server of its own for the ocr queue: the first must not
            // find the batch alone.
            await using (var first = await BenchHost.StartAsync(server, HostSettings("bench-a")))
            await using (var second = await BenchHost.JoinAsync(first, HostSettings("bench-b")))
            {
                await RunPipelineAsync([first, second], pages.Take(4).ToList()); // warm-up, as for the one host
                var before = await first.ScalarAsync<long>("select coalesce(max(id), 0) from app.documents where @id = @id", 0);
                var run = await RunPipelineAsync([first, second], pages);
                var split = await first.ScalarAsync<string>("""
                    select string_agg(format('%s: %s pages', processed_by, n), ', ' order by processed_by) from (
                        select processed_by, count(*) n from app.document_pages where document_id > @id group by processed_by) s
                    """, before);
                report($"5. Two host processes on one database, both up before the submit to the first: **{run.Seconds:0.0} s** ({pageCount / run.Seconds:0.00} pages/s); "
                    + $"OCR pages by process: {split}; outcomes {run.Statuses}; peak RSS of the first {run.PeakRssMb} MB; load now {Load()}");
                report($"   Stages: {run.Stages}");
            }
            report($"Load after: {Load()}");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Dictionary<string, string> HostSettings(string name) => new()
    {
        // The stages' own worker counts (the issue's "each on its own queue with its own worker count"): the ocr queue has a
        // Hangfire server of its own with one worker more than OCR threads (one page waiting while two are read), so a host
        // takes only the pages it can read and a second host on the database takes the rest.
        ["Hangfire:Servers:0:Name"] = name,
        ["Hangfire:Servers:0:Queues:0"] = "preprocessing",
        ["Hangfire:Servers:0:Queues:1"] = "nlp",
        ["Hangfire:Servers:0:Queues:2"] = "validation",
        ["Hangfire:Servers:0:Queues:3"] = "default",
        ["Hangfire:Servers:0:WorkerCount"] = "4",
        ["Hangfire:Servers:1:Name"] = name + "-ocr",
        ["Hangfire:Servers:1:Queues:0"] = "ocr",
        ["Hangfire:Servers:1:WorkerCount"] = "3",
        ["Documents:OcrThreads"] = "2",
        ["Documents:MaxFilesPerRequest"] = "100",
        ["Chunks:HeartbeatInterval"] = "00:00:01",
        ["Chunks:FlushInterval"] = "00:00:00.200",
    };

    private static List<string> Render(string folder, int count)
    {
        var random = new Random(11);
        var files = new List<string>();
        for (var n = 1; n <= count; n++)
        {
            var lines = new List<string> { $"Invoice No: 2024-{n:000}", $"Date: {1 + n % 28:00}.03.2024", "" };
            for (var line = 0; line < 36; line++)
            {
                lines.Add(string.Join(' ', Enumerable.Range(0, 8 + random.Next(4)).Select(_ => Words[random.Next(Words.Length)])));
            }
            using var page = ScanSimulator.Render(lines, skewDegrees: random.NextDouble() * 4 - 2, noise: 12);
            var path = Path.Combine(folder, $"page-{n:00}.png");
            File.WriteAllBytes(path, page.Encode(3));
            files.Add(path);
        }
        return files;
    }

    /// <summary>The old way: one <c>tesseract</c> process per page, sequentially; wall time and the processes' CPU time
    /// (GNU time's user + system), which a busy machine changes far less than the wall time.</summary>
    private static async Task<(TimeSpan Wall, TimeSpan Cpu)> RunCliAsync(IReadOnlyList<string> pages, string? ompLimit)
    {
        var started = Stopwatch.StartNew();
        var cpu = TimeSpan.Zero;
        foreach (var page in pages)
        {
            var cpuFile = Path.ChangeExtension(page, null) + "-cli.time";
            var info = new ProcessStartInfo("/usr/bin/time", ["-f", "%U %S", "-o", cpuFile, "tesseract", page, Path.ChangeExtension(page, null) + "-cli", "-l", "eng"])
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            info.Environment.Remove("OMP_THREAD_LIMIT");
            if (ompLimit is not null)
            {
                info.Environment["OMP_THREAD_LIMIT"] = ompLimit;
            }
            using var process = Process.Start(info)!;
            await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"tesseract failed on {page} with exit code {process.ExitCode}");
            }
            var times = (await File.ReadAllTextAsync(cpuFile)).Trim().Split(' ');
            cpu += TimeSpan.FromSeconds(double.Parse(times[0], CultureInfo.InvariantCulture) + double.Parse(times[1], CultureInfo.InvariantCulture));
        }
        return (started.Elapsed, cpu);
    }

    private sealed record PipelineRun(double Seconds, string Statuses, string Stages, TimeSpan HostCpu, TimeSpan OcrCpu, TimeSpan PostgresCpu, string Threads, long PeakRssMb);

    private static async Task<long[]> SubmitAsync(BenchHost host, IReadOnlyList<string> pages)
    {
        using var form = new MultipartFormDataContent();
        foreach (var page in pages)
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(page));
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "file", Path.GetFileName(page));
        }
        var submitted = await host.PostAsync("/api/documents", form);
        return [.. submitted.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetInt64())];
    }

    /// <summary>Submits the pages to the first host and waits until every document is final; CPU of the hosts (and of the
    /// database's backends) over the run, and when each stage's batch became final.</summary>
    private static async Task<PipelineRun> RunPipelineAsync(IReadOnlyList<BenchHost> hosts, IReadOnlyList<string> pages)
    {
        var host = hosts[0];
        foreach (var each in hosts)
        {
            each.ResetPeakRss();
        }
        var firstBatch = await host.ScalarAsync<long>("select coalesce(max(id), 0) + 1 from app.batches where @id = @id", 0);
        var postgresBefore = await PostgresTicksAsync(host);
        var cpuBefore = hosts.Select(each => each.CpuTime()).ToArray();
        var ocrBefore = hosts.Select(each => each.ThreadCpuTime("ocr-")).ToArray();
        var threadsBefore = host.ThreadCpuByName();
        TimeSpan HostCpu() => TimeSpan.FromTicks(hosts.Select((each, i) => (each.CpuTime() - cpuBefore[i]).Ticks).Sum());
        var started = Stopwatch.StartNew();
        var ids = await SubmitAsync(host, pages);
        var first = ids.Min();
        var last = ids.Max();
        long peakRss = 0;
        string Rss()
        {
            // The peak since the last stage, then a new peak starts: which stage holds the memory.
            var peak = host.PeakRssMb();
            peakRss = Math.Max(peakRss, peak);
            host.ResetPeakRss();
            return $"peak RSS {peak} MB";
        }
        var stages = new List<string> { $"submit answered {started.Elapsed.TotalSeconds:0.0} s (CPU {HostCpu().TotalSeconds:0.0} s, {Rss()})" };
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (true)
        {
            var final = await host.ScalarAsync<string>("""
                select coalesce(string_agg(worker_type, ',' order by id), '') from app.batches
                where id >= @id and state not in ('created', 'running')
                """, firstBatch);
            foreach (var stage in final.Split(',', StringSplitOptions.RemoveEmptyEntries).Where(seen.Add))
            {
                stages.Add($"{stage} {started.Elapsed.TotalSeconds:0.0} s (CPU {HostCpu().TotalSeconds:0.0} s, {Rss()})");
            }
            var open = await host.ScalarAsync<long>($"select count(*) from app.documents where id between @id and {last} and status = 'processing'", first);
            if (open == 0)
            {
                break;
            }
            if (started.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException("The pipeline did not finish within 10 minutes.");
            }
            await Task.Delay(50);
        }
        var seconds = started.Elapsed.TotalSeconds;
        Rss();
        var hostCpu = HostCpu();
        var ocrCpu = TimeSpan.FromTicks(hosts.Select((each, i) => (each.ThreadCpuTime("ocr-") - ocrBefore[i]).Ticks).Sum());
        var postgresCpu = TimeSpan.FromSeconds((await PostgresTicksAsync(host)).Sum(p => p.Value - postgresBefore.GetValueOrDefault(p.Key)) / 100.0);
        var threads = string.Join(", ", host.ThreadCpuByName().Select(t => (t.Key, Cpu: t.Value - threadsBefore.GetValueOrDefault(t.Key)))
            .Where(t => t.Cpu.TotalSeconds >= 0.05).OrderByDescending(t => t.Cpu).Select(t => $"{t.Key} {t.Cpu.TotalSeconds:0.0} s"));
        var statuses = await host.ScalarAsync<string>($"""
            select string_agg(format('%s %s', status, n), ', ') from (select status, count(*) n from app.documents where id between @id and {last} group by status) s
            """, first);
        return new PipelineRun(seconds, statuses, string.Join(", ", stages), hostCpu, ocrCpu, postgresCpu, threads, peakRss);
    }

    /// <summary>CPU ticks of the PostgreSQL backends connected to the host's database (a backend that ended in between is
    /// missed: the figure is a floor).</summary>
    private static async Task<Dictionary<int, long>> PostgresTicksAsync(BenchHost host)
    {
        var pids = await host.ScalarAsync<string>("select coalesce(string_agg(pid::text, ','), '') from pg_stat_activity where datname = current_database() and @id = @id", 0);
        var ticks = new Dictionary<int, long>();
        foreach (var pid in pids.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse))
        {
            try
            {
                ticks[pid] = BenchHost.ProcStatTicks(await File.ReadAllTextAsync($"/proc/{pid}/stat"));
            }
            catch (IOException)
            {
            }
        }
        return ticks;
    }

    private sealed record CancelRun(double CallMs, double StoppedMs, double BatchMs, long PagesDone);

    /// <summary>
    /// Cancel latency: the pages are submitted, and once both OCR threads are reading (their CPU time grows), the ocr
    /// batch is cancelled through the API. Tesseract has stopped when the OCR threads' CPU time stops growing; the time
    /// from the cancel call to the last growth is the figure.
    /// </summary>
    private static async Task<CancelRun> MeasureCancelAsync(BenchHost host, IReadOnlyList<string> pages)
    {
        var ids = await SubmitAsync(host, pages);
        var first = ids.Min();
        long ocrBatch = 0;
        await BenchHost.UntilAsync(async () => (ocrBatch = await host.ScalarAsync<long>("""
            select coalesce(max(b.id), 0) from app.batches b
            where b.worker_type = 'ocr' and b.state = 'running' and b.id > (select batch_id from app.documents where id = @id)
            """, first)) != 0, TimeSpan.FromMinutes(5), "an ocr batch to start");
        // Mid-page: the OCR threads have read for a while (a third of a page's CPU) since the ocr batch started.
        var ocrStart = host.ThreadCpuTime("ocr-");
        await BenchHost.UntilAsync(() => Task.FromResult(host.ThreadCpuTime("ocr-") - ocrStart >= TimeSpan.FromMilliseconds(400)),
            TimeSpan.FromMinutes(5), "the OCR threads to start reading", pollMs: 10);
        var clock = Stopwatch.StartNew();
        await host.PostActionAsync($"/api/batches/{ocrBatch}/cancel");
        var callMs = clock.Elapsed.TotalMilliseconds;
        var lastCpu = host.ThreadCpuTime("ocr-");
        var lastGrowthMs = 0.0;
        double batchMs = -1;
        // Until the OCR threads are stopped: the batch is cancelled and their CPU has not grown for 2 s. Every 10 ms
        // poll notes when their CPU last grew and when the batch turned cancelled.
        try
        {
            await BenchHost.UntilAsync(async () =>
            {
                var cpu = host.ThreadCpuTime("ocr-");
                if (cpu > lastCpu)
                {
                    lastCpu = cpu;
                    lastGrowthMs = clock.Elapsed.TotalMilliseconds;
                }
                if (batchMs < 0 && await host.ScalarAsync<string>("select state from app.batches where id = @id", ocrBatch) == "cancelled")
                {
                    batchMs = clock.Elapsed.TotalMilliseconds;
                }
                return batchMs >= 0 && clock.Elapsed.TotalMilliseconds - lastGrowthMs > 2000;
            }, TimeSpan.FromSeconds(30), "the OCR threads to stop after the cancel", pollMs: 10);
        }
        catch (TimeoutException)
        {
            // Not stopped within 30 s: reported as measured (the last growth, and -1 for a batch never cancelled).
        }
        var done = await host.ScalarAsync<long>("select count(*) from app.document_pages where document_id >= @id and state = 'done'", first);
        return new CancelRun(callMs, lastGrowthMs, batchMs, done);
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();
}
