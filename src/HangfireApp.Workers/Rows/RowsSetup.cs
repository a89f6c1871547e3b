using HangfireApp.Batches;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Rows;

public static class RowsSetup
{
    /// <summary>
    /// The <c>rows</c> worker type: handler and final handler, its settings (<c>WorkerTypes:rows</c>), the call store,
    /// the secret protector, the per-process batch gates and the HTTP client. Its engine defaults differ from the
    /// engine's: rows wait on a remote API, so a chunk keeps many in flight and an item may wait longer.
    /// </summary>
    public static IServiceCollection AddRows(this IServiceCollection services)
    {
        // Before AddWorkerType's binding, so that configuration still overrides every one of them.
        services.Configure<WorkerTypeOptions>(RowsWorkerType.Name, defaults =>
        {
            defaults.ChunkSize = 250;
            defaults.MaxDegreeOfParallelism = 64;
            defaults.ItemTimeout = TimeSpan.FromMinutes(5);
        });
        services.AddWorkerType<RowsHandler, RowsFinalHandler>(RowsWorkerType.Name);
        services.AddOptions<RowsOptions>().BindConfiguration(RowsOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<RowsOptions>, RowsOptionsValidator>();
        services.AddSingleton<SecretProtector>();
        services.AddSingleton<RowsCallStore>();
        services.AddSingleton<RowsBatches>();
        services.AddSingleton<RowsSubmitter>();
        services.TryAddSingleton<SharedRateLimiter>();
        services.AddHttpClient(RowsHandler.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan) // each call has its own timeout
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                AllowAutoRedirect = false, // followed by the handler, which keeps secret headers on their origin
                AutomaticDecompression = System.Net.DecompressionMethods.All,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            })
            // The factory's loggers write every URL at Information (and headers at Trace): row values and secrets stay out of logs.
            .RemoveAllLoggers();
        return services;
    }

    private sealed class RowsOptionsValidator : IValidateOptions<RowsOptions>
    {
        public ValidateOptionsResult Validate(string? name, RowsOptions options) =>
            options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
