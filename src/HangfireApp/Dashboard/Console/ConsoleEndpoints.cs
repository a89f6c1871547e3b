using System.Globalization;
using System.Text.Json;
using Hangfire.Dashboard;
using Hangfire.States;
using HangfireApp.Batches.JobOutput;

namespace HangfireApp.Dashboard.Console;

/// <summary>
/// The console's JSON endpoints under the dashboard (so the dashboard's authorization covers them):
/// <c>GET {dashboard}/console/lines?job=J&amp;after=S</c> — a job's sections, progress bars and the lines after
/// line id S (the page polls only new lines); <c>GET {dashboard}/console/progress?jobs=1,2,3</c> — the
/// progress bars of each job's latest section, for the Processing jobs list.
/// </summary>
public static class ConsoleEndpoints
{
    /// <summary>Most lines one poll returns; the page asks again at once while <c>more</c> is true.</summary>
    public const int LinesPerPoll = 5_000;

    /// <summary>Most jobs one progress request may name (the Processing list shows at most a page of them).</summary>
    public const int MaxJobsPerProgressRequest = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Hangfire states in which a job's console may still grow: the page keeps polling.</summary>
    public static bool IsLive(string? stateName) => stateName == ProcessingState.StateName || stateName == EnqueuedState.StateName;

    internal sealed class LinesDispatcher : IDashboardDispatcher
    {
        public async Task Dispatch(DashboardContext context)
        {
            if (!long.TryParse(context.Request.GetQuery("job"), NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
            {
                await ProblemAsync(context, "job", "'job' must be a job id (a positive whole number).");
                return;
            }
            var afterText = context.Request.GetQuery("after");
            long after = 0;
            if (!string.IsNullOrEmpty(afterText) && !long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after))
            {
                await ProblemAsync(context, "after", "'after' must be a line id (a whole number, 0 for the start).");
                return;
            }
            var http = context.GetHttpContext();
            var store = http.RequestServices.GetRequiredService<JobConsoleStore>();
            var snapshot = await store.ReadAsync(jobId, after, LinesPerPoll, newest: false, http.RequestAborted);
            string? state;
            using (var connection = context.Storage.GetConnection())
            {
                state = connection.GetStateData(jobId.ToString(CultureInfo.InvariantCulture))?.Name;
            }
            await WriteJsonAsync(context, new
            {
                jobId,
                state,
                live = IsLive(state),
                more = snapshot.More,
                last = snapshot.Lines.Count > 0 ? snapshot.Lines[^1].Id : after,
                sections = snapshot.Sections.Select(s => new { s.Id, s.Title, startedAt = s.StartedAt, started = ConsoleHtml.Timestamp(s.StartedAt) }),
                progress = snapshot.Progress,
                lines = snapshot.Lines.Select(l => new { l.Id, l.SectionId, l.At, time = ConsoleHtml.Timestamp(l.At), l.Color, l.Text }),
            });
        }
    }

    internal sealed class ProgressDispatcher : IDashboardDispatcher
    {
        public async Task Dispatch(DashboardContext context)
        {
            var ids = new List<long>();
            foreach (var part in (context.Request.GetQuery("jobs") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (!long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                {
                    await ProblemAsync(context, "jobs", "'jobs' must be a comma-separated list of job ids.");
                    return;
                }
                ids.Add(id);
            }
            if (ids.Count > MaxJobsPerProgressRequest)
            {
                await ProblemAsync(context, "jobs", $"'jobs' may name at most {MaxJobsPerProgressRequest} jobs.");
                return;
            }
            var http = context.GetHttpContext();
            var progress = ids.Count == 0
                ? new Dictionary<long, List<ConsoleProgressView>>()
                : await http.RequestServices.GetRequiredService<JobConsoleStore>().LatestProgressAsync(ids, http.RequestAborted);
            await WriteJsonAsync(context, progress.ToDictionary(
                pair => pair.Key.ToString(CultureInfo.InvariantCulture),
                pair => pair.Value.Select(bar => new { bar.Name, bar.Value })));
        }
    }

    private static Task WriteJsonAsync(DashboardContext context, object body)
    {
        context.Response.ContentType = "application/json";
        context.Response.SetExpire(null);
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, Json));
    }

    /// <summary>A client mistake as RFC 9457 ProblemDetails naming the field.</summary>
    private static Task ProblemAsync(DashboardContext context, string field, string detail)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
            title = "Invalid query parameter",
            status = 400,
            detail,
            errors = new Dictionary<string, string[]> { [field] = [detail] },
        }, Json));
    }
}
