using Hangfire.Server;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Batches.Logging;

/// <summary>
/// Opens a logging scope with the job's id around every job, so each log line written inside a job
/// (including from its parallel item tasks, which inherit the scope) carries <c>JobId</c>.
/// </summary>
public sealed class JobLogScopeFilter(ILoggerFactory loggerFactory) : IServerFilter
{
    private const string ScopeKey = "HangfireApp.LogScope";
    private readonly ILogger _logger = loggerFactory.CreateLogger("HangfireApp.Jobs");

    public void OnPerforming(PerformingContext context)
    {
        var scope = _logger.BeginScope(new Dictionary<string, object> { ["JobId"] = context.BackgroundJob.Id });
        if (scope is not null)
        {
            context.Items[ScopeKey] = scope;
        }
    }

    public void OnPerformed(PerformedContext context)
    {
        if (context.Items.TryGetValue(ScopeKey, out var scope) && scope is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
