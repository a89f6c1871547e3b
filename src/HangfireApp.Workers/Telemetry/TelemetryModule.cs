using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.Schedules;
using HangfireApp.Workers.Telemetry.Intake;
using HangfireApp.Workers.Telemetry.Storage;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// The <c>telemetry</c> worker type: PUBG match telemetry stream-parsed once and aggregated per player per match.
/// Its handler and final handler, its settings (<c>WorkerTypes:telemetry</c>), its tables, its API, the
/// <c>pending-matches</c> sweep, the parse gate, the URL downloader and the optional RabbitMQ intake.
/// </summary>
public sealed class TelemetryModule : IWorkerTypeModule
{
    public string Name => TelemetryWorkerType.Name;

    public void Register(WorkerTypeBuilder builder)
    {
        builder.Handler<TelemetryHandler>()
            .FinalHandler<TelemetryFinalHandler>()
            .Defaults(defaults =>
            {
                // At most ten matches per chunk, two at once: a chunk's Hangfire job and bookkeeping cost ~30 ms of CPU
                // (host and PostgreSQL, ~68 statements), about half a 23 MB match's own work: ~11% of a batch's CPU with
                // chunks of four, ~5% with ten (docs/benchmarks.md, session 9). The sweep spreads a smaller batch over the
                // telemetry workers (PendingMatchesSweep.ChunkSizeFor): 40 matches on two hosts of two workers are four
                // chunks, one each, so both hosts take part. Chunks of 20 cost less still, but two chunks can land on the
                // same host (its two workers fetch both). The parse gate, not the chunk, bounds the parses per process.
                defaults.ChunkSize = 10;
                defaults.MaxDegreeOfParallelism = 2;
                defaults.ItemTimeout = TimeSpan.FromMinutes(10);
            })
            .Options<TelemetryOptions>(TelemetryOptions.Section, Validate)
            .Migrations()
            .AuditActions(TelemetryAuditActions.Register, TelemetryAuditActions.Reprocess)
            .RecurringJob<PendingMatchesSweep>(PendingMatchesSweep.RecurringJobId, sweep => sweep.RunAsync(CancellationToken.None),
                services => services.GetRequiredService<IOptions<TelemetryOptions>>().Value.PendingSweepCron);

        var services = builder.Services;
        services.AddSingleton<TelemetryMatchStore>();
        services.AddSingleton<TelemetryParseGate>();
        services.AddSingleton<TelemetryDownloader>();
        services.AddTransient<TelemetryIntake>();
        // The engine's outbound policy (WorkerTypes:telemetry:AllowPrivateNetworks / AllowedNetworks); one try (the item
        // retries), FetchTimeout until the answer's headers. No automatic decompression: the parser sniffs gzip itself.
        services.AddOutboundHttpClient(TelemetryDownloader.HttpClientName, TelemetryOptions.Section, options => options.MaxAttempts = 1)
            .ConfigurePrimaryHttpMessageHandler((handler, _) => ((SocketsHttpHandler)handler).AutomaticDecompression = System.Net.DecompressionMethods.None);
        services.AddOptions<OutboundClientOptions>(TelemetryDownloader.HttpClientName)
            .Configure<IOptions<TelemetryOptions>>((outbound, telemetry) => outbound.Timeout = telemetry.Value.FetchTimeout);
        services.AddSingleton<SweepTrigger>();
        services.AddHostedService(sp => sp.GetRequiredService<SweepTrigger>());
        services.AddHostedService<RabbitMqIntake>();
    }

    public void MapEndpoints(IEndpointRouteBuilder api) => TelemetryApi.Map(api);

    private static string? Validate(TelemetryOptions options) =>
        options.Validate()
        ?? (ScheduleService.TryParseCron(options.PendingSweepCron, out var cronError) ? null : $"{TelemetryOptions.Section}:PendingSweepCron: {cronError}");
}
