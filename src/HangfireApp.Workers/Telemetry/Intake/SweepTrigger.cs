using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Workers.Telemetry.Intake;

/// <summary>
/// Runs the <c>pending-matches</c> sweep soon after registrations that do not sweep themselves (the RabbitMQ intake
/// registers one message at a time): requests made while a sweep runs are coalesced into the next one, so a burst of
/// messages becomes a few batches, not one batch per match.
/// </summary>
public sealed partial class SweepTrigger(IServiceScopeFactory scopes, ILogger<SweepTrigger> logger) : BackgroundService
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Asks for a sweep; returns at once.</summary>
    public void Request() => _requests.Writer.TryWrite(true);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _requests.Reader.WaitToReadAsync(stoppingToken))
        {
            _requests.Reader.TryRead(out _);
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<PendingMatchesSweep>().RunAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // The recurring sweep picks the matches up later; they are registered already.
                LogSweepFailed(logger, e);
            }
        }
    }

    [LoggerMessage(EventId = WorkerLogEventIds.SweepTriggerSweepFailed, Level = LogLevel.Warning, Message = "pending-matches sweep after a registration failed; the recurring sweep will retry")]
    private static partial void LogSweepFailed(ILogger logger, Exception exception);
}
