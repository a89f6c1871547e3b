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

    public static async Task<int> RunAsync(string server, int pageCount, Action<string> report)
    {
        var folder = Directory.CreateTempSubdirectory("documents-bench-").FullName;
        try
        {
            var pages = Render(folder, pageCount);
            report($"## Documents benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load before: {Load()}");
            report("");
            report($"{pageCount} scan-like A4 pages at 300 dpi (8-bit gray PNG, ~40 lines of 11 pt text, skewed ±2°, noise σ 12), the same files for every run.");
            report("");

            var cliDefault = await RunCliAsync(pages, ompLimit: null);
            report($"1. `tesseract` CLI, one page at a time, Debian defaults (OpenMP on every core): **{cliDefault.TotalSeconds:0.0} s** ({pageCount / cliDefault.TotalSeconds:0.00} pages/s)");
            var cliTuned = await RunCliAsync(pages, ompLimit: "1");
            report($"2. `tesseract` CLI, one page at a time, `OMP_THREAD_LIMIT=1`: **{cliTuned.TotalSeconds:0.0} s** ({pageCount / cliTuned.TotalSeconds:0.00} pages/s)");

            var settings = HostSettings("bench-a");
            await using (var host = await BenchHost.StartAsync(server, settings))
            {
                var (seconds, statuses) = await RunPipelineAsync(host, pages);
                report($"3. Pipeline (preprocessing → ocr → nlp → validation), one host, 2 OCR threads: submit → every document final in **{seconds:0.0} s** "
                    + $"({pageCount / seconds:0.00} pages/s); host peak RSS **{host.PeakRssMb()} MB**; outcomes {statuses}");
                report($"   → **{cliDefault.TotalSeconds / seconds:0.0}×** the default CLI (target ≥ 5×), **{cliTuned.TotalSeconds / seconds:0.00}×** the tuned CLI (target ≥ 1.6×)");
                report("   Stage timeline: " + await host.ScalarAsync<string>("""
                    select string_agg(format('%s %s ms', worker_type, coalesce(round(extract(epoch from finished_at - created_at) * 1000), -1)), ', ' order by id)
                    from app.batches where id >= @id
                    """, await host.ScalarAsync<long>("select min(batch_id) from app.documents where batch_id is not null", 0)));
                report($"   OCR per page (Tesseract only): {await host.ScalarAsync<string>("""
                    select format('%s pages, mean confidence %s', count(*), round(avg(confidence)::numeric, 1)) from app.document_pages where @id = @id
                    """, 0)}");

                await using var second = await BenchHost.JoinAsync(host, HostSettings("bench-b"));
                var before = await host.ScalarAsync<long>("select coalesce(max(id), 0) from app.documents where @id = @id", 0);
                var (twoSeconds, twoStatuses) = await RunPipelineAsync(host, pages);
                var split = await host.ScalarAsync<string>("""
                    select string_agg(format('%s: %s pages', processed_by, n), ', ' order by processed_by) from (
                        select processed_by, count(*) n from app.document_pages where document_id > @id group by processed_by) s
                    """, before);
                report($"4. Two host processes on the same database, the batch submitted to the first: **{twoSeconds:0.0} s**; OCR pages by process: {split}; outcomes {twoStatuses}");
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
        ["Hangfire:Servers:0:Name"] = name,
        ["Hangfire:Servers:0:Queues:0"] = "preprocessing",
        ["Hangfire:Servers:0:Queues:1"] = "ocr",
        ["Hangfire:Servers:0:Queues:2"] = "nlp",
        ["Hangfire:Servers:0:Queues:3"] = "validation",
        ["Hangfire:Servers:0:Queues:4"] = "default",
        ["Hangfire:Servers:0:WorkerCount"] = "6",
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

    /// <summary>The old way: one <c>tesseract</c> process per page, sequentially.</summary>
    private static async Task<TimeSpan> RunCliAsync(IReadOnlyList<string> pages, string? ompLimit)
    {
        var started = Stopwatch.StartNew();
        foreach (var page in pages)
        {
            var info = new ProcessStartInfo("tesseract", [page, Path.ChangeExtension(page, null) + "-cli", "-l", "eng"])
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
        }
        return started.Elapsed;
    }

    private static async Task<(double Seconds, string Statuses)> RunPipelineAsync(BenchHost host, IReadOnlyList<string> pages)
    {
        using var form = new MultipartFormDataContent();
        foreach (var page in pages)
        {
            var part = new ByteArrayContent(await File.ReadAllBytesAsync(page));
            part.Headers.ContentType = new MediaTypeHeaderValue("image/png");
            form.Add(part, "file", Path.GetFileName(page));
        }
        var started = Stopwatch.StartNew();
        var submitted = await host.PostAsync("/api/documents", form);
        var ids = submitted.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToArray();
        var first = ids.Min();
        var last = ids.Max();
        while (true)
        {
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
        var statuses = await host.ScalarAsync<string>($"""
            select string_agg(format('%s %s', status, n), ', ') from (select status, count(*) n from app.documents where id between @id and {last} group by status) s
            """, first);
        return (seconds, statuses);
    }

    private static string Load() => File.ReadAllText("/proc/loadavg").Trim();
}
