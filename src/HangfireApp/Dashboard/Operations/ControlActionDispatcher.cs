using System.Globalization;
using Hangfire.Dashboard;
using HangfireApp.Batches.Control;
using HangfireApp.Dashboard.Batches;
using HangfireApp.JobServers;

namespace HangfireApp.Dashboard.Operations;

internal enum ControlAction
{
    Pause,
    Resume,
    MaxRunningChunks,
    WorkerCount,
}

/// <summary>
/// The live-control buttons of the Worker types page: pause/resume a worker type, its running-chunk cap, a server's
/// WorkerCount. The same rules as the batch actions (POST, operator, antiforgery token, ProblemDetails); the same
/// services as the API, which store the change and audit it with the dashboard user as actor.
/// </summary>
internal sealed class ControlActionDispatcher(ControlAction action) : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        try
        {
            await BatchActionDispatcher.EnsureOperatorPostAsync(context, http, "Control actions are POST requests.",
                "This dashboard is read-only for you: live control needs an operator.");
            var actor = BatchesDashboardAccess.Actor(http);
            var name = context.UriMatch.Groups["name"].Value;
            var form = http.Request.HasFormContentType ? await http.Request.ReadFormAsync(http.RequestAborted) : null;
            var controls = http.RequestServices.GetRequiredService<WorkerTypeControls>();
            object result = action switch
            {
                ControlAction.Pause => await controls.PauseAsync(name, actor, http.RequestAborted),
                ControlAction.Resume => await controls.ResumeAsync(name, actor, http.RequestAborted),
                ControlAction.MaxRunningChunks => await controls.SetMaxRunningChunksAsync(name,
                    Number(form?["maxRunningChunks"].FirstOrDefault(), "maxRunningChunks", 1, 100_000, allowEmpty: true), actor, http.RequestAborted),
                _ => new
                {
                    server = await http.RequestServices.GetRequiredService<ServerControls>().SetWorkerCountAsync(name,
                        Number(form?["workerCount"].FirstOrDefault(), "workerCount", 1, HangfireOptionsValidator.MaxWorkerCount, allowEmpty: false)!.Value,
                        actor, http.RequestAborted),
                },
            };
            await http.Response.WriteAsJsonAsync(result, result.GetType(), DashboardResponses.Json, http.RequestAborted);
        }
        catch (DashboardProblemException problem)
        {
            await DashboardResponses.ProblemAsync(http, problem);
        }
        catch (WorkerTypeNotEnabledException e)
        {
            await DashboardResponses.ProblemAsync(http, DashboardProblemException.NotFound(e.Message));
        }
        catch (ServerNotFoundException e)
        {
            await DashboardResponses.ProblemAsync(http, DashboardProblemException.NotFound(e.Message));
        }
    }

    private static int? Number(string? text, string field, int min, int max, bool allowEmpty)
    {
        if (string.IsNullOrWhiteSpace(text) && allowEmpty)
        {
            return null;
        }
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : throw DashboardProblemException.BadField(field, $"{field} must be a whole number from {min} to {max}{(allowEmpty ? ", or empty for the configured value" : "")}.");
    }
}
