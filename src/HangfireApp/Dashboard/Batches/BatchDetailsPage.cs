using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Queries;

namespace HangfireApp.Dashboard.Batches;

internal sealed record BatchDetailsModel(
    BatchView Batch,
    Page<ChunkView> Chunks,
    IReadOnlyList<ErrorGroupView> Errors,
    IReadOnlyList<BatchView> Children,
    bool CanOperate,
    DateTime Now,
    IReadOnlyDictionary<string, ChunkJobWait> Waits);

/// <summary>
/// <c>/batches/{id}</c>: summary, continuation, parent and child batches, failed items grouped by fingerprint,
/// and the chunks with their Hangfire jobs. Operator buttons (<c>#action-cancel</c>, <c>#action-rerun-failed</c>,
/// <c>#action-rerun-all</c>, <c>.action-rerun-chunk</c>) are only rendered for users who may act.
/// Live refresh updates <c>#batch-summary</c> and <c>tr.chunk-row[data-chunk-no]</c> in place.
/// </summary>
internal sealed class BatchDetailsPage : BatchPageBase<BatchDetailsModel>
{
    public override void Execute()
    {
        var model = Model;
        var batch = model.Batch;
        Layout = new LayoutPage($"Batch #{batch.Id}");
        WriteLiteral($"<div class=\"row\"><div class=\"col-md-12\" id=\"batch-details\" data-batch-id=\"{batch.Id}\"");
        WriteAttribute("data-live-url", Link($"/batches/{batch.Id}/live", ("chunks", model.Chunks.PageNumber == 1 ? null : model.Chunks.PageNumber.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        WriteLiteral($"><h1 class=\"page-header\">Batch #{batch.Id} ");
        WriteBatchState(batch, "batch-state");
        WriteLiteral("</h1>");
        WriteActions(model);
        WriteSummary(batch, model);
        WritePipeline(model);
        WriteErrors(model);
        WriteChunks(model);
        WriteLiteral("</div></div>");
    }

    private void WriteActions(BatchDetailsModel model)
    {
        if (!model.CanOperate)
        {
            return;
        }
        var batch = model.Batch;
        var open = BatchFormat.IsOpen(batch.State);
        var rerunnable = batch.ItemCounts.Failed + batch.ItemCounts.Cancelled;
        WriteLiteral("<div id=\"batch-actions\" class=\"btn-toolbar batch-actions\">");
        WriteButton("action-cancel", "btn-danger", "open", !open, $"/batches/{batch.Id}/cancel", null,
            $"Cancel batch #{batch.Id}? Queued chunks are cancelled at once; running chunks stop at their next heartbeat.", "Cancel batch");
        WriteButton("action-rerun-failed", "btn-warning", "final-with-failures", open || rerunnable == 0, $"/batches/{batch.Id}/rerun", "failed",
            $"Rerun the failed and cancelled items of batch #{batch.Id}?", "Rerun failed items");
        WriteButton("action-rerun-all", "btn-default", "final", open, $"/batches/{batch.Id}/rerun", "all",
            $"Rerun every item of batch #{batch.Id}, succeeded ones included?", "Rerun all");
        WriteLiteral("<span id=\"batch-action-result\" class=\"batch-action-result\" role=\"status\"></span></div>");
    }

    private void WriteButton(string id, string style, string when, bool hidden, string path, string? scope, string confirm, string text)
    {
        WriteLiteral($"<button type=\"button\" id=\"{id}\" class=\"btn btn-sm {style} batch-action\" data-when=\"{when}\"");
        WriteAttribute("data-url", Url.To(path));
        if (scope is not null)
        {
            WriteAttribute("data-scope", scope);
        }
        WriteAttribute("data-confirm", confirm);
        WriteLiteral(hidden ? " hidden>" : ">");
        Write(text);
        WriteLiteral("</button>");
    }

    private void WriteSummary(BatchView batch, BatchDetailsModel model)
    {
        var counts = batch.ItemCounts;
        WriteLiteral("<table id=\"batch-summary\" class=\"table table-condensed batch-summary\"><tbody>");
        Row("Worker type", "batch-worker-type", batch.WorkerType);
        Row("Description", "batch-description", batch.Description ?? "–");
        Row("Priority", "batch-priority", batch.Priority);
        WriteLiteral("<tr><th>Progress</th><td>");
        WriteProgress(batch);
        WriteLiteral("</td></tr><tr><th>Items</th><td class=\"batch-counts\">");
        WriteCount("batch-total", batch.TotalItems);
        WriteLiteral(" total · ");
        WriteCount("batch-pending", counts.Pending);
        WriteLiteral(" pending · ");
        WriteCount("batch-running", counts.Running);
        WriteLiteral(" running · ");
        WriteCount("batch-succeeded", counts.Succeeded);
        WriteLiteral(" succeeded · ");
        WriteCount("batch-failed", counts.Failed);
        WriteLiteral(" failed · ");
        WriteCount("batch-cancelled", counts.Cancelled);
        WriteLiteral(" cancelled</td></tr>");
        Row("Items/s", "batch-rate", BatchFormat.Rate(batch.ItemsPerSecond));
        Row("ETA", "batch-eta", BatchFormat.Eta(batch));
        Row("Duration", "batch-duration", BatchFormat.Duration(batch));
        if (BatchFormat.IsOpen(batch.State))
        {
            Row("Waiting", "batch-waiting", ChunkWaitText.Summary(model.Waits.Values, model.Now) ?? "–");
        }
        Row("Run", "batch-run", batch.Run.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Row("Created", "batch-created", BatchFormat.Time(batch.CreatedAt));
        Row("Started", "batch-started", BatchFormat.Time(batch.StartedAt));
        Row("Finished", "batch-finished", BatchFormat.Time(batch.FinishedAt));
        if (batch.CancelRequested)
        {
            Row("Cancel", "batch-cancel-requested", "requested");
        }
        WriteLiteral("</tbody></table>");
    }

    private void WritePipeline(BatchDetailsModel model)
    {
        var batch = model.Batch;
        WriteLiteral("<h3>Pipeline</h3><table id=\"batch-pipeline\" class=\"table table-condensed\"><tbody><tr><th>Parent batch</th><td id=\"batch-parent\">");
        if (batch.ParentBatchId is { } parent)
        {
            WriteLiteral("<a class=\"batch-parent-link\"");
            WriteAttribute("href", Url.To($"/batches/{parent}"));
            WriteLiteral($">#{parent}</a>");
        }
        else
        {
            WriteLiteral("–");
        }
        WriteLiteral("</td></tr><tr><th>Child batches</th><td id=\"batch-children\">");
        if (batch.ChildBatchIds.Count == 0)
        {
            WriteLiteral("–");
        }
        foreach (var childId in batch.ChildBatchIds)
        {
            var child = model.Children.FirstOrDefault(c => c.Id == childId);
            WriteLiteral($"<span class=\"batch-child\" data-batch-id=\"{childId}\"><a class=\"batch-child-link\"");
            WriteAttribute("href", Url.To($"/batches/{childId}"));
            WriteLiteral($">#{childId}</a>");
            if (child is not null)
            {
                WriteLiteral(" ");
                WriteStateLabel(child.State, "batch-child-state");
                WriteLiteral(" ");
                Write(child.WorkerType);
            }
            WriteLiteral("</span> ");
        }
        WriteLiteral("</td></tr><tr><th>Continuation</th><td id=\"batch-continuation\">");
        if (batch.Continuation is { } continuation)
        {
            Write($"{continuation.Condition.Replace('_', ' ')} → ");
            WriteLiteral("<span class=\"continuation-state\">");
            Write(continuation.State);
            WriteLiteral("</span>");
            if (continuation.NextBatchId is { } next)
            {
                WriteLiteral(" · next stage <a class=\"continuation-next-link\"");
                WriteAttribute("href", Url.To($"/batches/{next}"));
                WriteLiteral($">#{next}</a>");
            }
            if (continuation.WebhookUrl is not null)
            {
                WriteLiteral(" · webhook <code>");
                Write(continuation.WebhookUrl);
                WriteLiteral("</code> <span class=\"continuation-webhook-state\">");
                Write(continuation.WebhookState ?? "pending");
                WriteLiteral("</span>");
            }
        }
        else
        {
            WriteLiteral("none");
        }
        WriteLiteral("</td></tr><tr><th>Stages</th><td id=\"batch-stages\">");
        if (batch.Pipeline is not { Count: > 0 } stages)
        {
            WriteLiteral("–");
        }
        else
        {
            // The whole chain, first stage first, whichever stage this page shows; stages not created yet have no link.
            WriteLiteral("<ol class=\"pipeline-stages\">");
            foreach (var stage in stages)
            {
                WriteLiteral("<li class=\"pipeline-stage\"");
                WriteAttribute("data-state", stage.State);
                if (stage.BatchId is { } id)
                {
                    WriteAttribute("data-batch-id", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
                WriteLiteral(">");
                if (stage.BatchId == batch.Id)
                {
                    WriteLiteral($"<strong>#{batch.Id}</strong> ");
                }
                else if (stage.BatchId is { } other)
                {
                    WriteLiteral("<a class=\"pipeline-stage-link\"");
                    WriteAttribute("href", Url.To($"/batches/{other}"));
                    WriteLiteral($">#{other}</a> ");
                }
                Write(stage.WorkerType);
                WriteLiteral(" ");
                WriteStateLabel(stage.State, "pipeline-stage-state");
                if (stage.ItemCounts is { } counts)
                {
                    WriteLiteral(" <span class=\"pipeline-stage-counts\">");
                    Write($"{counts.Succeeded} succeeded, {counts.Failed} failed, {counts.Cancelled} cancelled, {counts.Pending + counts.Running} open");
                    WriteLiteral("</span>");
                }
                WriteLiteral("</li>");
            }
            WriteLiteral("</ol>");
        }
        WriteLiteral("</td></tr></tbody></table>");
    }

    private void WriteErrors(BatchDetailsModel model)
    {
        WriteLiteral("<h3>Failed items by error</h3>");
        if (model.Errors.Count == 0)
        {
            WriteLiteral("<p id=\"batch-errors-empty\" class=\"text-muted\">No failed items.</p>");
            return;
        }
        WriteLiteral("<table id=\"batch-errors\" class=\"table table-condensed batch-errors\"><thead><tr><th>Count</th><th>Fingerprint</th><th>Example</th></tr></thead><tbody>");
        foreach (var group in model.Errors)
        {
            WriteLiteral("<tr class=\"error-group\"><td class=\"error-count\">");
            Write(BatchFormat.Number(group.Count));
            WriteLiteral("</td><td><code class=\"error-fingerprint\">");
            Write(group.Fingerprint);
            WriteLiteral($"</code></td><td>item <span class=\"error-example-item\">{group.ExampleItemNo}</span><pre class=\"error-example\">");
            Write(group.ExampleError);
            WriteLiteral("</pre></td></tr>");
        }
        WriteLiteral("</tbody></table>");
    }

    private void WriteChunks(BatchDetailsModel model)
    {
        var batch = model.Batch;
        var chunks = model.Chunks;
        var pages = Math.Max(1, (chunks.Total + chunks.PageSize - 1) / chunks.PageSize);
        WriteLiteral("<h3>Chunks <small>");
        Write($"{BatchFormat.Number(chunks.Total)} · page {chunks.PageNumber} of {pages}");
        WriteLiteral("</small></h3><div class=\"table-responsive\"><table id=\"batch-chunks\" class=\"table table-condensed table-hover batch-chunks\"><thead><tr>");
        WriteLiteral("<th>Chunk</th><th>Items</th><th>State</th><th>Attempt</th><th>Epoch</th><th>Heartbeat</th><th>Succeeded</th><th>Failed</th><th>Cancelled</th><th>Job</th><th>Last error</th>");
        WriteLiteral(model.CanOperate ? "<th></th></tr></thead><tbody>" : "</tr></thead><tbody>");
        foreach (var chunk in chunks.Items)
        {
            WriteLiteral($"<tr class=\"chunk-row\" data-chunk-no=\"{chunk.ChunkNo}\"><td>{chunk.ChunkNo}</td><td>{chunk.FirstItem}–{chunk.FirstItem + chunk.ItemCount - 1}</td><td>");
            WriteStateLabel(chunk.State, "chunk-state");
            WriteLiteral(" <span class=\"chunk-wait\">");
            Write(ChunkWaitText.For(chunk, model.Waits, model.Now));
            WriteLiteral($"</span></td><td class=\"chunk-attempt\">{chunk.Attempt}</td><td class=\"chunk-epoch\">{chunk.LeaseEpoch}</td><td class=\"chunk-heartbeat\">");
            Write(BatchFormat.Age(chunk.HeartbeatAt, model.Now));
            WriteLiteral($"</td><td class=\"chunk-succeeded\">{chunk.Succeeded}</td><td class=\"chunk-failed\">{chunk.Failed}</td><td class=\"chunk-cancelled\">{chunk.Cancelled}</td><td>");
            if (chunk.HangfireJobId is { } jobId)
            {
                WriteLiteral("<a class=\"chunk-job-link\"");
                WriteAttribute("href", Url.JobDetails(jobId));
                WriteLiteral(">#");
                Write(jobId);
                WriteLiteral("</a>");
            }
            WriteLiteral("</td><td class=\"chunk-last-error\">");
            Write(chunk.LastError);
            WriteLiteral("</td>");
            if (model.CanOperate)
            {
                WriteLiteral($"<td><button type=\"button\" class=\"btn btn-xs btn-default batch-action action-rerun-chunk\" data-when=\"final\" data-scope=\"all\"");
                WriteAttribute("data-url", Url.To($"/batches/{batch.Id}/chunks/{chunk.ChunkNo}/rerun"));
                WriteAttribute("data-confirm", $"Rerun all {chunk.ItemCount} items of chunk {chunk.ChunkNo} of batch #{batch.Id}?");
                WriteLiteral(BatchFormat.IsOpen(batch.State) ? " hidden>Rerun</button></td>" : ">Rerun</button></td>");
            }
            WriteLiteral("</tr>");
        }
        WriteLiteral("</tbody></table></div><div id=\"chunks-pager\" class=\"btn-toolbar\">");
        if (chunks.PageNumber > 1)
        {
            WriteLiteral("<a id=\"chunks-prev\" class=\"btn btn-default btn-sm\"");
            WriteAttribute("href", Link($"/batches/{batch.Id}", ("chunks", (chunks.PageNumber - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            WriteLiteral(">&larr; Previous chunks</a>");
        }
        if (chunks.PageNumber < pages)
        {
            WriteLiteral("<a id=\"chunks-next\" class=\"btn btn-default btn-sm\"");
            WriteAttribute("href", Link($"/batches/{batch.Id}", ("chunks", (chunks.PageNumber + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            WriteLiteral(">Next chunks &rarr;</a>");
        }
        WriteLiteral("</div>");
    }

    private void Row(string header, string cssClass, string value)
    {
        WriteLiteral("<tr><th>");
        Write(header);
        WriteLiteral($"</th><td class=\"{cssClass}\">");
        Write(value);
        WriteLiteral("</td></tr>");
    }
}
