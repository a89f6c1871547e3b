using System.Globalization;
using Hangfire;
using Hangfire.Dashboard;
using HangfireApp.Batches.JobOutput;
using Microsoft.Extensions.Options;

namespace HangfireApp.Dashboard.Console;

public static class JobConsoleDashboard
{
    /// <summary>Lines the job details page shows when it opens (the newest ones); the rest of a longer console is
    /// left out with a note. The page then polls only for newer lines.</summary>
    public const int LinesOnPage = 20_000;

    private static readonly Lock Registration = new();
    private static bool _registered;

    /// <summary>
    /// The job console in the Hangfire dashboard: rendered on the job details page (live while the job runs),
    /// progress bars on the Processing jobs list, and the JSON endpoints behind both. Hangfire keeps renderers,
    /// routes and scripts in process-wide lists, so they are added once per process; each request finds the
    /// services of its own host.
    /// </summary>
    public static WebApplicationBuilder AddJobConsoleDashboard(this WebApplicationBuilder builder)
    {
        lock (Registration)
        {
            if (!_registered)
            {
                _registered = true;
                var assembly = typeof(JobConsoleDashboard).Assembly;
                GlobalConfiguration.Configuration
                    .UseJobDetailsRenderer(100, RenderConsole)
                    .UseDashboardStylesheet(assembly, "HangfireApp.Dashboard.Console.console.css")
                    .UseDashboardJavaScript(assembly, "HangfireApp.Dashboard.Console.console.js");
                DashboardRoutes.Routes.Add("/console/lines", new ConsoleEndpoints.LinesDispatcher());
                DashboardRoutes.Routes.Add("/console/progress", new ConsoleEndpoints.ProgressDispatcher());
            }
        }
        return builder;
    }

    private static NonEscapedString RenderConsole(JobDetailsRendererDto dto)
    {
        var services = dto.Page.Context.GetHttpContext().RequestServices;
        if (!services.GetRequiredService<IOptions<JobConsoleOptions>>().Value.Enabled
            || !long.TryParse(dto.JobId, NumberStyles.None, CultureInfo.InvariantCulture, out var jobId))
        {
            return new NonEscapedString(string.Empty);
        }
        // Hangfire renders its pages synchronously; the read is one round trip of three indexed queries.
        var snapshot = services.GetRequiredService<JobConsoleStore>()
            .ReadAsync(jobId, 0, LinesOnPage, newest: true, CancellationToken.None).GetAwaiter().GetResult();
        string? state;
        using (var connection = dto.Page.Storage.GetConnection())
        {
            state = connection.GetStateData(dto.JobId)?.Name; // the current state, as the JSON endpoint reads it
        }
        var live = ConsoleEndpoints.IsLive(state);
        if (snapshot.Sections.Count == 0 && !live)
        {
            return new NonEscapedString(string.Empty); // a job that never wrote to a console (a sweep, a webhook)
        }
        return new NonEscapedString(ConsoleHtml.Render(jobId, snapshot, dto.Page.Url.To("/console/lines"), live, snapshot.More));
    }
}
