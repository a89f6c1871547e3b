using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Queries;

namespace HangfireApp.Dashboard.Batches;

internal sealed record BatchListModel(Page<BatchView> Batches, string? State, string? WorkerType, IReadOnlyList<string> WorkerTypes);

/// <summary>
/// <c>/batches</c>: batches newest first, filtered by state and worker type, paged. Ids and classes the live
/// refresh and the browser tests rely on: <c>#batches-table</c>, <c>tr.batch-row[data-batch-id]</c>,
/// <c>.batch-state</c>, <c>.batch-progress</c>, <c>.batch-succeeded</c>/<c>-failed</c>/<c>-cancelled</c>/<c>-total</c>,
/// <c>.batch-rate</c>, <c>.batch-eta</c>, <c>#batches-changed</c>.
/// </summary>
internal sealed class BatchesListPage : BatchPageBase<BatchListModel>
{
    public override void Execute()
    {
        Layout = new LayoutPage("Batches");
        var model = Model;
        var batches = model.Batches;
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Batches</h1>");

        WriteLiteral("<form id=\"batches-filter\" class=\"form-inline batches-filter\" method=\"get\"");
        WriteAttribute("action", Url.To("/batches"));
        WriteLiteral("><select name=\"state\" id=\"filter-state\" class=\"form-control input-sm\"><option value=\"\">any state</option>");
        foreach (var state in BatchFormat.BatchStates)
        {
            WriteOption(state, BatchFormat.StateText(state), state == model.State);
        }
        WriteLiteral("</select> <select name=\"workerType\" id=\"filter-worker-type\" class=\"form-control input-sm\"><option value=\"\">any worker type</option>");
        foreach (var type in model.WorkerTypes)
        {
            WriteOption(type, type, type == model.WorkerType);
        }
        WriteLiteral("</select> <button type=\"submit\" class=\"btn btn-sm btn-default\">Filter</button></form>");

        WriteLiteral("<div id=\"batches-changed\" class=\"alert alert-info\" hidden>The batches on this page changed. <a");
        WriteAttribute("href", Link("/batches", ("state", model.State), ("workerType", model.WorkerType), ("page", PageParameter(batches.PageNumber))));
        WriteLiteral(">Reload</a></div>");

        if (batches.Items.Count == 0)
        {
            WriteLiteral("<div id=\"batches-empty\" class=\"alert alert-info\">No batches match.</div>");
        }
        WriteLiteral("<div class=\"table-responsive\"><table id=\"batches-table\" class=\"table table-hover batches-table\"");
        WriteAttribute("data-live-url", Link("/batches/live", ("state", model.State), ("workerType", model.WorkerType), ("page", PageParameter(batches.PageNumber))));
        WriteLiteral("><thead><tr><th>Id</th><th>Worker type</th><th>Description</th><th>State</th><th class=\"batch-progress-col\">Progress</th>");
        WriteLiteral("<th>Succeeded</th><th>Failed</th><th>Cancelled</th><th>Total</th><th>Items/s</th><th>ETA</th><th>Duration</th><th>Created</th></tr></thead><tbody>");
        foreach (var batch in batches.Items)
        {
            WriteRow(batch);
        }
        WriteLiteral("</tbody></table></div>");
        WritePager(model);
        WriteLiteral("</div></div>");
    }

    private void WriteRow(BatchView batch)
    {
        WriteLiteral($"<tr class=\"batch-row\" data-batch-id=\"{batch.Id}\"><td><a class=\"batch-link\"");
        WriteAttribute("href", Url.To($"/batches/{batch.Id}"));
        WriteLiteral($">#{batch.Id}</a></td><td class=\"batch-worker-type\">");
        Write(batch.WorkerType);
        WriteLiteral("</td><td class=\"batch-description\">");
        Write(batch.Description);
        WriteLiteral("</td><td>");
        WriteBatchState(batch, "batch-state");
        WriteLiteral("</td><td>");
        WriteProgress(batch);
        WriteLiteral("</td><td>");
        WriteCount("batch-succeeded", batch.ItemCounts.Succeeded);
        WriteLiteral("</td><td>");
        WriteCount("batch-failed", batch.ItemCounts.Failed);
        WriteLiteral("</td><td>");
        WriteCount("batch-cancelled", batch.ItemCounts.Cancelled);
        WriteLiteral("</td><td>");
        WriteCount("batch-total", batch.TotalItems);
        WriteLiteral("</td><td class=\"batch-rate\">");
        Write(BatchFormat.Rate(batch.ItemsPerSecond));
        WriteLiteral("</td><td class=\"batch-eta\">");
        Write(BatchFormat.Eta(batch));
        WriteLiteral("</td><td class=\"batch-duration\">");
        Write(BatchFormat.Duration(batch));
        WriteLiteral("</td><td class=\"batch-created\">");
        Write(Html.RelativeTime(batch.CreatedAt));
        WriteLiteral("</td></tr>");
    }

    private void WritePager(BatchListModel model)
    {
        var batches = model.Batches;
        var pages = Math.Max(1, (batches.Total + batches.PageSize - 1) / batches.PageSize);
        WriteLiteral("<div id=\"batches-pager\" class=\"btn-toolbar batches-pager\">");
        if (batches.PageNumber > 1)
        {
            WriteLiteral("<a id=\"batches-prev\" class=\"btn btn-default btn-sm\"");
            WriteAttribute("href", Link("/batches", ("state", model.State), ("workerType", model.WorkerType), ("page", PageParameter(batches.PageNumber - 1))));
            WriteLiteral(">&larr; Newer</a>");
        }
        WriteLiteral("<span class=\"batches-page-info\">");
        Write($"Page {batches.PageNumber} of {pages} · {BatchFormat.Number(batches.Total)} batches");
        WriteLiteral("</span>");
        if (batches.PageNumber < pages)
        {
            WriteLiteral("<a id=\"batches-next\" class=\"btn btn-default btn-sm\"");
            WriteAttribute("href", Link("/batches", ("state", model.State), ("workerType", model.WorkerType), ("page", PageParameter(batches.PageNumber + 1))));
            WriteLiteral(">Older &rarr;</a>");
        }
        WriteLiteral("</div>");
    }

    private void WriteOption(string value, string text, bool selected)
    {
        WriteLiteral("<option");
        WriteAttribute("value", value);
        WriteLiteral(selected ? " selected>" : ">");
        Write(text);
        WriteLiteral("</option>");
    }

    private static string? PageParameter(int page) => page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
