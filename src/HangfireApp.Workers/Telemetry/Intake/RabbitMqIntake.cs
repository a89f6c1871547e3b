using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace HangfireApp.Workers.Telemetry.Intake;

/// <summary>
/// The optional RabbitMQ intake (<c>WorkerTypes:telemetry:RabbitMq</c>): consumes <c>{matchId, telemetryUrl}</c>
/// messages with manual acknowledgements and a prefetch window, registers each match in PostgreSQL and acknowledges
/// the message only after that transaction committed. A crash before the ack redelivers the message (at least once,
/// never lost); the redelivered registration merges with the committed one (duplicates merge by match id). A message
/// that is not a valid registration is rejected without requeue (dead-lettered when the queue has a dead-letter
/// exchange); a database error requeues it. Runs on every host where a URI is configured: competing consumers.
/// </summary>
public sealed partial class RabbitMqIntake(
    IOptions<TelemetryOptions> options,
    TelemetryIntake intake,
    SweepTrigger sweep,
    ILogger<RabbitMqIntake> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.RabbitMq;
        if (!settings.Enabled)
        {
            return;
        }
        var factory = new ConnectionFactory
        {
            Uri = new Uri(settings.Uri!),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            ClientProvidedName = $"hangfireapp-telemetry-intake@{Environment.MachineName}",
        };
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await factory.CreateConnectionAsync(stoppingToken);
                await using var channel = await connection.CreateChannelAsync(cancellationToken: stoppingToken);
                await channel.QueueDeclareAsync(settings.Queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: stoppingToken);
                await channel.BasicQosAsync(0, settings.Prefetch, global: false, stoppingToken);
                var consumer = new AsyncEventingBasicConsumer(channel);
                consumer.ReceivedAsync += (_, delivery) => HandleAsync(channel, delivery, stoppingToken);
                await channel.BasicConsumeAsync(settings.Queue, autoAck: false, consumer, stoppingToken);
                LogConsuming(logger, settings.Queue, settings.Prefetch);
                // Lost connections recover by themselves; a channel the broker closed (a protocol error) does not.
                while (channel.IsOpen || !connection.IsOpen)
                {
                    await Task.Delay(TimeSpan.FromSeconds(2), stoppingToken);
                }
                LogChannelClosed(logger, settings.Queue, channel.CloseReason?.ReplyText);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogUnavailable(logger, e, settings.ReconnectDelay.TotalSeconds);
                await Task.Delay(settings.ReconnectDelay, stoppingToken);
            }
        }
    }

    private async Task HandleAsync(IChannel channel, BasicDeliverEventArgs delivery, CancellationToken stoppingToken)
    {
        MatchUrlInput? message;
        try
        {
            message = JsonSerializer.Deserialize<MatchUrlInput>(delivery.Body.Span, Json);
        }
        catch (JsonException)
        {
            message = null;
        }
        var problems = MatchRequests.Problems(message);
        if (problems.Count > 0)
        {
            LogRejected(logger, delivery.DeliveryTag, string.Join(" ", problems));
            await channel.BasicRejectAsync(delivery.DeliveryTag, requeue: false, stoppingToken);
            return;
        }
        try
        {
            await intake.RegisterUrlsAsync([(message!.MatchId!.Trim(), message.TelemetryUrl!.Trim())], stoppingToken);
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            LogRegisterFailed(logger, e, message!.MatchId);
            // Not registered: back to the queue, after a pause so a database outage does not spin.
            await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            await channel.BasicNackAsync(delivery.DeliveryTag, multiple: false, requeue: true, stoppingToken);
            return;
        }
        await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false, stoppingToken);
        sweep.Request();
    }

    [LoggerMessage(EventId = WorkerLogEventIds.RabbitMqIntakeConsuming, Level = LogLevel.Information, Message = "RabbitMQ intake consuming {Queue} (prefetch {Prefetch})")]
    private static partial void LogConsuming(ILogger logger, string queue, ushort prefetch);

    [LoggerMessage(EventId = WorkerLogEventIds.RabbitMqIntakeUnavailable, Level = LogLevel.Warning, Message = "RabbitMQ intake: broker unavailable, retrying in {Seconds} s")]
    private static partial void LogUnavailable(ILogger logger, Exception exception, double seconds);

    [LoggerMessage(EventId = WorkerLogEventIds.RabbitMqIntakeRejected, Level = LogLevel.Warning, Message = "RabbitMQ intake: message {DeliveryTag} rejected (not a valid match registration): {Problems}")]
    private static partial void LogRejected(ILogger logger, ulong deliveryTag, string problems);

    [LoggerMessage(EventId = WorkerLogEventIds.RabbitMqIntakeRegisterFailed, Level = LogLevel.Warning, Message = "RabbitMQ intake: registering match {MatchId} failed; the message is requeued")]
    private static partial void LogRegisterFailed(ILogger logger, Exception exception, string? matchId);

    [LoggerMessage(EventId = WorkerLogEventIds.RabbitMqIntakeChannelClosed, Level = LogLevel.Warning, Message = "RabbitMQ intake: the channel on {Queue} was closed ({Reason}); reconnecting")]
    private static partial void LogChannelClosed(ILogger logger, string queue, string? reason);
}
