using Hangfire;
using Hangfire.Server;
using Hangfire.States;
using HangfireApp.Batches.Chunks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.FaultInjection;

/// <summary>Where <see cref="ChunkJobParking"/> stops a chunk job.</summary>
public enum ParkPoint
{
    None,

    /// <summary>Fetched from the queue, still <c>Enqueued</c>, inside the state change to Processing (holding the
    /// job's state lock).</summary>
    AfterFetch,

    /// <summary><c>Processing</c>, just before the chunk runner claims the chunk.</summary>
    BeforeClaim,
}

/// <summary>
/// A fault-injection hook for the fault tests: parks every chunk job this process fetches at
/// <c>FaultInjection:ParkChunkJobs</c> (<see cref="ParkPoint"/>) for good and logs it, so a test can SIGKILL the
/// process exactly in the window between fetching a chunk's job and claiming the chunk — a window of a few
/// milliseconds otherwise. Off unless set, and refused outside the <c>Testing</c> environment.
/// </summary>
internal sealed partial class ChunkJobParking(IHostEnvironment environment, IConfiguration configuration, ILogger<ChunkJobParking> logger)
    : IHostedService, IElectStateFilter, IServerFilter
{
    public const string Setting = "FaultInjection:ParkChunkJobs";

    private ParkPoint _point;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _point = configuration.GetValue(Setting, ParkPoint.None);
        if (_point == ParkPoint.None)
        {
            return Task.CompletedTask;
        }
        if (!environment.IsEnvironment("Testing"))
        {
            throw new InvalidOperationException($"{Setting} is a fault-injection hook for tests: it is refused outside the Testing environment.");
        }
        LogArmed(logger, _point);
        GlobalJobFilters.Filters.Add(this);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        GlobalJobFilters.Filters.Remove(this);
        return Task.CompletedTask;
    }

    public void OnStateElection(ElectStateContext context)
    {
        if (_point == ParkPoint.AfterFetch && context.CandidateState is ProcessingState && IsChunkJob(context.BackgroundJob.Job))
        {
            Park(context.BackgroundJob.Id);
        }
    }

    public void OnPerforming(PerformingContext context)
    {
        if (_point == ParkPoint.BeforeClaim && IsChunkJob(context.BackgroundJob.Job))
        {
            Park(context.BackgroundJob.Id);
        }
    }

    public void OnPerformed(PerformedContext context)
    {
    }

    private static bool IsChunkJob(Hangfire.Common.Job? job) => job?.Type == typeof(ChunkJob);

    private void Park(string jobId)
    {
        LogParked(logger, jobId, _point);
        // Until the test kills the process: this worker thread never gets to the claim.
        Thread.Sleep(Timeout.Infinite);
    }

    [LoggerMessage(EventId = LogEventIds.ChunkJobParkingArmed, Level = LogLevel.Warning, Message = "Fault injection armed: chunk jobs park at {Point}")]
    private static partial void LogArmed(ILogger logger, ParkPoint point);

    [LoggerMessage(EventId = LogEventIds.ChunkJobParkingParked, Level = LogLevel.Warning, Message = "Fault injection: parked chunk job {JobId} at {Point}")]
    private static partial void LogParked(ILogger logger, string jobId, ParkPoint point);
}
