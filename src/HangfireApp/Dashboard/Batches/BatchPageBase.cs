using HangfireApp.Batches.Queries;

namespace HangfireApp.Dashboard.Batches;

/// <summary>The pieces the batch pages share; the element classes here are what the live refresh script updates.</summary>
internal abstract class BatchPageBase<TModel> : ModelPage<TModel>
    where TModel : class
{
    protected void WriteStateLabel(string state, string cssClass)
    {
        WriteLiteral($"<span class=\"label {BatchFormat.StateClass(state)} {cssClass}\" data-state=\"");
        Write(state);
        WriteLiteral("\">");
        Write(BatchFormat.StateText(state));
        WriteLiteral("</span>");
    }

    /// <summary>A batch's state label: "waiting" rather than "running" when no item is in flight.</summary>
    protected void WriteBatchState(BatchView batch, string cssClass)
    {
        WriteLiteral($"<span class=\"label {BatchFormat.StateClass(batch)} {cssClass}\" data-state=\"");
        Write(batch.State);
        WriteLiteral("\"");
        if (BatchFormat.IsWaiting(batch))
        {
            WriteLiteral(" title=\"No chunk is running: its chunks wait for a retry, a resume, a cap or a free worker\"");
        }
        WriteLiteral(">");
        Write(BatchFormat.StateText(batch));
        WriteLiteral("</span>");
    }

    /// <summary>A stacked bar: succeeded, failed and cancelled shares of all items, with the percentage done.</summary>
    protected void WriteProgress(BatchView batch)
    {
        var counts = batch.ItemCounts;
        WriteLiteral("<div class=\"batch-progress\" title=\"");
        Write($"{counts.Succeeded} succeeded, {counts.Failed} failed, {counts.Cancelled} cancelled of {batch.TotalItems}");
        WriteLiteral("\"><div class=\"progress\">");
        WriteLiteral($"<div class=\"progress-bar progress-bar-success batch-progress-succeeded\" style=\"width: {BatchFormat.Percent(counts.Succeeded, batch.TotalItems)}%\"></div>");
        WriteLiteral($"<div class=\"progress-bar progress-bar-danger batch-progress-failed\" style=\"width: {BatchFormat.Percent(counts.Failed, batch.TotalItems)}%\"></div>");
        WriteLiteral($"<div class=\"progress-bar progress-bar-warning batch-progress-cancelled\" style=\"width: {BatchFormat.Percent(counts.Cancelled, batch.TotalItems)}%\"></div>");
        WriteLiteral("</div><span class=\"batch-progress-text\">");
        Write(BatchFormat.ProgressText(batch.Progress));
        WriteLiteral("</span></div>");
    }

    protected void WriteCount(string cssClass, long value)
    {
        WriteLiteral($"<span class=\"{cssClass}\">");
        Write(BatchFormat.Number(value));
        WriteLiteral("</span>");
    }

    /// <summary>A relative URL inside the dashboard with query parameters (empty ones left out), encoded.</summary>
    protected string Link(string path, params (string Name, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value)).Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}").ToList();
        return Url.To(path) + (parts.Count == 0 ? "" : "?" + string.Join("&", parts));
    }

    /// <summary>An attribute value: always encoded.</summary>
    protected void WriteAttribute(string name, string value)
    {
        WriteLiteral($" {name}=\"");
        Write(value);
        WriteLiteral("\"");
    }
}
