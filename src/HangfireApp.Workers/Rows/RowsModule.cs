using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Outbound;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// The <c>rows</c> worker type: handler and final handler, its settings (<c>WorkerTypes:rows</c> and <c>Rows</c>), the
/// call store and its table, the secret protector, the per-process batch gates, the HTTP client and <c>POST /api/rows/csv</c>.
/// Its engine defaults differ from the engine's: rows wait on a remote API, so a chunk keeps many in flight and an item
/// may wait longer.
/// </summary>
public sealed class RowsModule : IWorkerTypeModule
{
    /// <summary>The audit action of an upload.</summary>
    public const string SubmitAction = "rows.submit";

    public string Name => RowsWorkerType.Name;

    public void Register(WorkerTypeBuilder builder)
    {
        builder.Handler<RowsHandler>()
            .FinalHandler<RowsFinalHandler>()
            .Defaults(defaults =>
            {
                defaults.ChunkSize = 250;
                defaults.MaxDegreeOfParallelism = 64;
                defaults.ItemTimeout = TimeSpan.FromMinutes(5);
            })
            .Options<RowsOptions>(RowsOptions.Section, options => options.Validate())
            .Migrations()
            .AuditActions(SubmitAction);

        var services = builder.Services;
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<RowsCallStore>();
        services.AddSingleton<RowsBatches>();
        services.AddSingleton<RowsSubmitter>();
        // The engine's outbound policy, bound from WorkerTypes:rows (AllowPrivateNetworks, AllowedNetworks, and the rows
        // settings MaxAttempts, BackoffBase, MaxRetryAfter, MaxRedirects), with the rows defaults below.
        var defaults = new RowsOptions();
        services.AddOutboundHttpClient(RowsHandler.HttpClientName, RowsOptions.Section, options =>
        {
            options.MaxAttempts = defaults.MaxAttempts;
            options.BackoffBase = defaults.BackoffBase;
            options.MaxRetryAfter = defaults.MaxRetryAfter;
            options.MaxRedirects = defaults.MaxRedirects;
        });
    }

    public void MapEndpoints(IEndpointRouteBuilder api) => RowsApi.Map(api);
}
