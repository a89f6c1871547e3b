using System.Globalization;
using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.WorkerTypes;

namespace HangfireApp.Dashboard.Batches;

/// <summary>A Hangfire server that fetches from at least one of a worker type's queues.</summary>
internal sealed record ServingServer(string Name, int WorkerCount, DateTime? Heartbeat, IReadOnlyList<string> Queues);

internal sealed record WorkerTypeRow(
    WorkerType Type,
    IReadOnlyList<(string Queue, long Depth)> Queues,
    WorkerTypeActivityView Activity,
    IReadOnlyList<ServingServer> Servers);

internal sealed record WorkerTypesModel(IReadOnlyList<WorkerTypeRow> Rows, TimeSpan Window, DateTime Now);

/// <summary>
/// <c>/worker-types</c>: each enabled worker type's queues with their depth, chunk size, parallelism, retry
/// policy, the servers (and their WorkerCount) that fetch its queues, its open chunks and its recent throughput.
/// Ids and classes: <c>#worker-types-table</c>, <c>tr.worker-type-row[data-worker-type]</c>, <c>.worker-type-server</c>.
/// </summary>
internal sealed class WorkerTypesPage : BatchPageBase<WorkerTypesModel>
{
    public override void Execute()
    {
        Layout = new LayoutPage("Worker types");
        var model = Model;
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Worker types</h1>");
        if (model.Rows.Count == 0)
        {
            WriteLiteral("<div id=\"worker-types-empty\" class=\"alert alert-info\">No worker type is enabled in this process.</div>");
        }
        WriteLiteral("<div class=\"table-responsive\"><table id=\"worker-types-table\" class=\"table worker-types-table\"><thead><tr>");
        WriteLiteral("<th>Worker type</th><th>Queues (enqueued jobs)</th><th>Chunk size</th><th>Parallelism</th><th>Item timeout</th><th>Retry policy</th>");
        WriteLiteral("<th>Chunks queued / running</th><th>Throughput</th><th>Servers (workers)</th></tr></thead><tbody>");
        foreach (var row in model.Rows)
        {
            var options = row.Type.Options;
            WriteLiteral("<tr class=\"worker-type-row\"");
            WriteAttribute("data-worker-type", row.Type.Name);
            WriteLiteral("><td class=\"worker-type-name\"><a");
            WriteAttribute("href", Link("/batches", ("workerType", row.Type.Name)));
            WriteLiteral(">");
            Write(row.Type.Name);
            WriteLiteral("</a></td><td class=\"worker-type-queues\">");
            foreach (var (queue, depth) in row.Queues)
            {
                WriteLiteral("<div class=\"worker-type-queue\"");
                WriteAttribute("data-queue", queue);
                WriteLiteral("><a");
                WriteAttribute("href", Url.Queue(queue));
                WriteLiteral(">");
                Write(queue);
                WriteLiteral("</a> <span class=\"badge queue-depth\">");
                Write(BatchFormat.Number(depth));
                WriteLiteral("</span></div>");
            }
            WriteLiteral($"</td><td class=\"worker-type-chunk-size\">{options.ChunkSize}</td><td class=\"worker-type-parallelism\">{options.MaxDegreeOfParallelism}</td><td>");
            Write(BatchFormat.Duration(options.ItemTimeout));
            WriteLiteral("</td><td class=\"worker-type-retry\">");
            Write($"{options.Retry.Attempts} attempt(s); delays {string.Join(", ", options.Retry.EffectiveDelaysSeconds.Select(d => d.ToString(CultureInfo.InvariantCulture) + " s"))}");
            WriteLiteral("</td><td class=\"worker-type-chunks\">");
            WriteCount("worker-type-queued-chunks", row.Activity.QueuedChunks);
            WriteLiteral(" / ");
            WriteCount("worker-type-running-chunks", row.Activity.RunningChunks);
            WriteLiteral("</td><td class=\"worker-type-throughput\">");
            Write($"≈ {BatchFormat.Rate(row.Activity.RecentItemsPerSecond)} ({BatchFormat.Number(row.Activity.RecentItems)} items in {BatchFormat.Duration(model.Window)})");
            WriteLiteral("</td><td class=\"worker-type-servers\">");
            if (row.Servers.Count == 0)
            {
                WriteLiteral("<span class=\"text-danger worker-type-unserved\">no server fetches these queues</span>");
            }
            foreach (var server in row.Servers)
            {
                WriteLiteral("<div class=\"worker-type-server\"");
                WriteAttribute("data-server", server.Name);
                WriteAttribute("title", $"queues: {string.Join(", ", server.Queues)}; heartbeat {BatchFormat.Age(server.Heartbeat, model.Now)}");
                WriteLiteral(">");
                Write(server.Name);
                WriteLiteral(" <span class=\"badge server-worker-count\">");
                Write(server.WorkerCount.ToString(CultureInfo.InvariantCulture));
                WriteLiteral("</span></div>");
            }
            WriteLiteral("</td></tr>");
        }
        WriteLiteral("</tbody></table></div></div></div>");
    }
}
