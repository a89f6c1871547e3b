using Hangfire;
using HangfireApp.Batches.Queues;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.Sweeps;

/// <summary>Registers the engine's recurring sweeps, in one place, with stable ids, on the maintenance queue.</summary>
internal sealed class SweepSchedule(IRecurringJobManager recurring, IOptions<SweepOptions> options) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var cron = options.Value.Cron();
        var every = new RecurringJobOptions { MisfireHandling = MisfireHandlingMode.Relaxed };
        recurring.AddOrUpdate<StalledChunksSweep>(StalledChunksSweep.RecurringJobId, QueueNames.Maintenance,
            sweep => sweep.RunAsync(CancellationToken.None), cron, every);
        recurring.AddOrUpdate<RepairBatchesSweep>(RepairBatchesSweep.RecurringJobId, QueueNames.Maintenance,
            sweep => sweep.RunAsync(CancellationToken.None), cron, every);
        // Hourly is plenty: Hangfire itself expires finished jobs only every 30 minutes.
        recurring.AddOrUpdate<ConsoleRetentionSweep>(ConsoleRetentionSweep.RecurringJobId, QueueNames.Maintenance,
            sweep => sweep.RunAsync(CancellationToken.None), Cron.Hourly(), every);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
