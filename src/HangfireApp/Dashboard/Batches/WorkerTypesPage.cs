using System.Globalization;
using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Control;
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

internal sealed record WorkerTypesModel(
    IReadOnlyList<WorkerTypeRow> Rows,
    TimeSpan Window,
    DateTime Now,
    IReadOnlyDictionary<string, WorkerTypeControl> Controls,
    Operations.OperationsChartsModel Charts,
    bool CanOperate);

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
        WriteLiteral("<div id=\"ops-charts\" class=\"ops-charts\">");
        WriteLiteral(model.Charts.Throughput);
        WriteLiteral(model.Charts.Failures);
        WriteLiteral(model.Charts.QueueDepth);
        WriteLiteral("</div><div id=\"control-result\" class=\"control-result text-danger\"></div>");
        if (model.Rows.Count == 0)
        {
            WriteLiteral("<div id=\"worker-types-empty\" class=\"alert alert-info\">No worker type is enabled in this process.</div>");
        }
        WriteLiteral("<div class=\"table-responsive\"><table id=\"worker-types-table\" class=\"table worker-types-table\"><thead><tr>");
        WriteLiteral("<th>Worker type</th><th>Queues (enqueued jobs)</th><th>Chunk size</th><th>Parallelism</th><th>Item timeout</th><th>Retry policy</th>");
        WriteLiteral("<th>Chunks queued / running</th><th>Throughput</th><th>Live control</th><th>Servers (workers)</th></tr></thead><tbody>");
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
            WriteLiteral("</td><td class=\"worker-type-control\">");
            WriteControl(row.Type.Name, model);
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
                WriteLiteral("</span>");
                if (model.CanOperate)
                {
                    var serverName = server.Name.Split(':')[0];
                    WriteLiteral("<form class=\"form-inline control-form server-worker-count-form\"");
                    WriteAttribute("data-url", Url.To($"/servers/{Uri.EscapeDataString(serverName)}/worker-count"));
                    WriteAttribute("data-confirm", $"Change the WorkerCount of {serverName}? Its running chunks stop at their next item and continue on the new workers.");
                    WriteLiteral("><input type=\"number\" min=\"1\" max=\"1000\" name=\"workerCount\" class=\"form-control input-sm server-worker-count-input\" required");
                    WriteAttribute("value", server.WorkerCount.ToString(CultureInfo.InvariantCulture));
                    WriteLiteral("> <button type=\"submit\" class=\"btn btn-xs btn-default\">Set workers</button></form>");
                }
                WriteLiteral("</div>");
            }
            WriteLiteral("</td></tr>");
        }
        WriteLiteral("</tbody></table></div></div></div>");
    }

    /// <summary>Paused or running, the cap in force, and (for operators) the buttons that change them.</summary>
    private void WriteControl(string name, WorkerTypesModel model)
    {
        var control = model.Controls.GetValueOrDefault(name);
        var paused = control?.Paused ?? false;
        WriteLiteral(paused
            ? "<span class=\"label label-warning worker-type-paused\" data-paused=\"true\">paused</span>"
            : "<span class=\"label label-success worker-type-paused\" data-paused=\"false\">running</span>");
        WriteLiteral(" <span class=\"worker-type-cap\">");
        Write(control?.MaxRunningChunks is { } cap ? $"at most {cap} running chunk(s)" : "no cap");
        WriteLiteral("</span>");
        if (control?.UpdatedBy is { } by)
        {
            WriteLiteral("<div class=\"text-muted worker-type-control-by\">");
            Write($"changed by {by}, {BatchFormat.Age(control.UpdatedAt, model.Now)}");
            WriteLiteral("</div>");
        }
        if (!model.CanOperate)
        {
            return;
        }
        var verb = paused ? "resume" : "pause";
        WriteLiteral($"<div><button type=\"button\" class=\"btn btn-xs {(paused ? "btn-success" : "btn-warning")} control-action worker-type-{verb}\"");
        WriteAttribute("data-url", Url.To($"/worker-types/{name}/{verb}"));
        WriteAttribute("data-confirm", paused
            ? $"Resume {name}? Its waiting chunks start again."
            : $"Pause {name} on every host? No chunk of it starts; running ones stop at their next item and wait, without using an attempt.");
        WriteLiteral(paused ? ">Resume</button>" : ">Pause</button>");
        WriteLiteral("</div><form class=\"form-inline control-form worker-type-cap-form\"");
        WriteAttribute("data-url", Url.To($"/worker-types/{name}/max-running-chunks"));
        WriteAttribute("data-confirm", $"Change the cluster-wide cap on running {name} chunks?");
        WriteLiteral("><input type=\"number\" min=\"1\" max=\"100000\" name=\"maxRunningChunks\" placeholder=\"no cap\" class=\"form-control input-sm worker-type-cap-input\"");
        WriteAttribute("value", control?.MaxRunningChunks?.ToString(CultureInfo.InvariantCulture) ?? "");
        WriteLiteral("> <button type=\"submit\" class=\"btn btn-xs btn-default\">Set cap</button></form>");
    }
}
