using Hangfire;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// Starts the scan of pending packages now rather than at the sweep's next cron time: enqueues one run of the
/// <c>pending-packages</c> sweep on the maintenance queue, which any host serving it picks up within moments
/// (long polling). Several triggers at once are harmless: the runs claim with <c>SKIP LOCKED</c>, and a run that
/// finds nothing pending ends at once. If the enqueue is lost, the cron sweep still takes the packages.
/// </summary>
public sealed class PackageScanTrigger(IBackgroundJobClient jobs, WorkerTypeRegistry workerTypes, IOptions<PackagesOptions> options)
{
    public void ScanPending()
    {
        if (options.Value.ScanOnRegister && workerTypes.TryGet(PackagesWorkerType.Name, out _))
        {
            jobs.Enqueue<PendingPackagesSweep>(QueueNames.Maintenance, sweep => sweep.RunAsync(CancellationToken.None));
        }
    }
}
