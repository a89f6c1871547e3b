using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Hangfire.Common;
using Hangfire.Dashboard;
using Hangfire.States;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Control;
using HangfireApp.Batches.Queries;
using HangfireApp.Dashboard.Batches;

namespace HangfireApp.Dashboard.Operations;

/// <summary>
/// Honest chunk job pages in Hangfire's dashboard. A chunk job is titled "Chunk 3 of batch 18" everywhere Hangfire
/// lists jobs, and its page opens with what the chunk really did: a link to its batch, its engine state and item
/// counts (a Hangfire "Succeeded" only says the job ran to its end: a chunk whose items failed says so here), and
/// while it waits, why and until when ("retry at …", paused, capped).
/// </summary>
internal static class ChunkJobPage
{
    /// <summary>Chunk ids to titles; a chunk's batch and number never change. Bounded: cleared when it grows large.</summary>
    private static readonly ConcurrentDictionary<(string Database, long ChunkId), string> Titles = new();

    private const int MaxTitles = 50_000;

    /// <summary>For <c>DashboardOptions.DisplayNameFunc</c>: chunk jobs by chunk and batch, every other job as Hangfire names it.</summary>
    public static string DisplayName(DashboardContext context, Job job)
    {
        if (job.Type == typeof(ChunkJob) && job.Args.Count > 0 && job.Args[0] is long chunkId)
        {
            var services = context.GetHttpContext().RequestServices;
            var database = services.GetRequiredService<Npgsql.NpgsqlDataSource>().ConnectionString;
            if (Titles.TryGetValue((database, chunkId), out var cached))
            {
                return cached;
            }
            if (services.GetRequiredService<ChunkJobQueries>().Get(chunkId) is { } chunk)
            {
                if (Titles.Count > MaxTitles)
                {
                    Titles.Clear();
                }
                return Titles[(database, chunkId)] = Title(chunk);
            }
            return $"Chunk {chunkId} (deleted)";
        }
        return DefaultName(job);
    }

    public static string Title(ChunkJobView chunk) => $"Chunk {chunk.ChunkNo} of batch {chunk.BatchId}";

    /// <summary>The summary at the top of a chunk job's page (nothing for other jobs).</summary>
    public static NonEscapedString Render(JobDetailsRendererDto dto)
    {
        var job = dto.JobDetails?.Job;
        if (job is null || job.Type != typeof(ChunkJob) || job.Args.Count == 0 || job.Args[0] is not long chunkId)
        {
            return new NonEscapedString(string.Empty);
        }
        var services = dto.Page.Context.GetHttpContext().RequestServices;
        var chunk = services.GetRequiredService<ChunkJobQueries>().Get(chunkId);
        if (chunk is null)
        {
            return new NonEscapedString("<div id=\"chunk-job-summary\" class=\"alert alert-info\">This chunk no longer exists (its batch was deleted).</div>");
        }
        var current = dto.JobDetails!.History?.FirstOrDefault();
        var jobState = current?.StateName ?? "";
        var maxAttempts = services.GetRequiredService<HangfireApp.Batches.WorkerTypes.WorkerTypeRegistry>().TryGet(chunk.WorkerType, out var type)
            ? type.Options.Retry.Attempts : (int?)null;
        var batchUrl = dto.Page.Url.To($"/batches/{chunk.BatchId}");
        var alert = chunk.State switch
        {
            "succeeded" => "alert-success",
            "completed_with_failures" => "alert-warning",
            "failed" => "alert-danger",
            _ => "alert-info",
        };
        var html = new System.Text.StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"<div id=\"chunk-job-summary\" class=\"alert {alert} chunk-job-summary\" data-chunk-state=\"{chunk.State}\" data-job-state=\"{E(jobState)}\">");
        html.Append(CultureInfo.InvariantCulture, $"<h4 class=\"chunk-job-title\">{E(Title(chunk))}</h4>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Items {chunk.FirstItem}–{chunk.FirstItem + chunk.ItemCount - 1} of <a class=\"chunk-job-batch-link\" href=\"{E(batchUrl)}\">batch #{chunk.BatchId}</a> ({E(chunk.WorkerType)}, batch {E(BatchFormat.StateText(chunk.BatchState))}).</p>");
        html.Append(CultureInfo.InvariantCulture,
            $"<p>Chunk <span class=\"label {BatchFormat.StateClass(chunk.State)} chunk-job-state\">{E(BatchFormat.StateText(chunk.State))}</span>: " +
            $"<span class=\"chunk-job-succeeded\">{chunk.Succeeded}</span> succeeded, <span class=\"chunk-job-failed\">{chunk.Failed}</span> failed for good, {chunk.Cancelled} cancelled; " +
            $"attempt {chunk.Attempt}{(maxAttempts is { } max ? $" of {max}" : "")}.</p>");
        html.Append("<p class=\"chunk-job-explain\">");
        html.Append(E(Explain(chunk, jobState, current?.Reason, current?.Data, DateTime.UtcNow)));
        html.Append("</p>");
        if (chunk.LastError is { } error && chunk.Failed > 0)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"small\">Last error: <code>{E(error.Length > 300 ? error[..300] + "…" : error)}</code> — the batch page groups all errors.</p>");
        }
        html.Append("</div>");
        return new NonEscapedString(html.ToString());
    }

    /// <summary>One sentence that says what the Hangfire state means for this chunk.</summary>
    internal static string Explain(ChunkJobView chunk, string jobState, string? reason, IDictionary<string, string>? data, DateTime now)
    {
        if (jobState == ScheduledState.StateName)
        {
            var at = ChunkJobQueries.ParseEnqueueAt(data is not null && data.TryGetValue("EnqueueAt", out var enqueueAt) ? enqueueAt : null);
            var when = at is { } time ? $"{time:HH:mm:ss} UTC ({(time > now ? "in " + BatchFormat.Duration(time - now) : "due now")})" : "soon";
            if (reason?.StartsWith(ChunkRetryFilter.RetryPrefix, StringComparison.Ordinal) == true)
            {
                var left = chunk.ItemCount - chunk.Succeeded - chunk.Failed - chunk.Cancelled;
                return $"Waiting for a retry: retry at {when}, for the {left} item(s) not done yet. Nothing failed for good yet; this is not an error state.";
            }
            if (reason?.StartsWith(ChunkGate.PausedPrefix, StringComparison.Ordinal) == true)
            {
                return $"Waiting: worker type '{chunk.WorkerType}' is paused. The chunk starts when it is resumed (checked again at {when}); no attempt is used.";
            }
            if (reason?.StartsWith(ChunkGate.CappedPrefix, StringComparison.Ordinal) == true)
            {
                return $"Waiting: worker type '{chunk.WorkerType}' runs as many chunks as its cap allows. Tries again at {when}; no attempt is used.";
            }
            return $"Scheduled to run at {when}.";
        }
        if (jobState == SucceededState.StateName)
        {
            return chunk.State switch
            {
                "completed_with_failures" =>
                    $"Hangfire shows the job Succeeded because it ran to its end, but {chunk.Failed} of the chunk's {chunk.ItemCount} items failed for good (after their retries).",
                "failed" => $"Hangfire shows the job Succeeded because it ran to its end, but every item of the chunk failed ({chunk.Failed}).",
                "succeeded" => "Every item of the chunk succeeded.",
                "cancelled" => "The batch was cancelled: the chunk's unfinished items were cancelled.",
                _ => $"The job ended; the chunk is {BatchFormat.StateText(chunk.State)} (it has a newer job).",
            };
        }
        if (jobState == ProcessingState.StateName)
        {
            return "Running now: items are in flight (the batch page shows the progress).";
        }
        if (jobState == EnqueuedState.StateName)
        {
            return "Waiting in its queue for a free worker.";
        }
        return jobState == DeletedState.StateName
            ? "This job was replaced (a rerun or a rescue gave the chunk a new job) or deleted: the chunk's current job is on the batch page."
            : $"The chunk is {BatchFormat.StateText(chunk.State)}.";
    }

    private static string DefaultName(Job job)
    {
        var displayName = job.Method.GetCustomAttributes(typeof(System.ComponentModel.DisplayNameAttribute), true)
            .OfType<System.ComponentModel.DisplayNameAttribute>().FirstOrDefault()?.DisplayName;
        if (displayName is null)
        {
            return $"{job.Type.Name}.{job.Method.Name}";
        }
        try
        {
            return string.Format(CultureInfo.CurrentCulture, displayName, [.. job.Args]);
        }
        catch (FormatException)
        {
            return displayName;
        }
    }

    private static string E(string text) => WebUtility.HtmlEncode(text);
}
