using Hangfire;
using Hangfire.Common;
using Hangfire.States;

namespace HangfireApp.BrowserTests.Infrastructure;

/// <summary>Hangfire jobs a scenario arranges directly in the host's storage.</summary>
public static class HangfireJobs
{
    /// <summary>Creates a job straight in the Failed state (a harmless method that never runs), for requeue/delete scenarios.</summary>
    public static string CreateFailed(BrowserHost host, string reason)
    {
        var client = host.App.Service<IBackgroundJobClient>();
        return client.Create(Job.FromExpression(() => NeverRetried.Run(reason)), new FailedState(new InvalidOperationException(reason)));
    }

    /// <summary>The job's current state name (e.g. <c>Failed</c>, <c>Deleted</c>, <c>Enqueued</c>).</summary>
    public static string? StateOf(BrowserHost host, string jobId)
    {
        using var connection = host.App.Service<JobStorage>().GetConnection();
        return connection.GetStateData(jobId)?.Name;
    }
}

/// <summary>
/// The job method of <see cref="HangfireJobs.CreateFailed"/>: without retries, so that Hangfire's automatic retry
/// filter leaves a job created as Failed in the Failed state instead of scheduling a retry.
/// </summary>
public static class NeverRetried
{
    [AutomaticRetry(Attempts = 0)]
    public static void Run(string reason) => Console.WriteLine(reason);
}
