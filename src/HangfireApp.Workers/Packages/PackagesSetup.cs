using Hangfire;
using HangfireApp.Batches;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Schedules;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Packages.Advisories;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages;

public static class PackagesSetup
{
    /// <summary>
    /// The <c>packages</c> worker type: its handler and final handler, its settings (<c>WorkerTypes:packages</c>),
    /// the local or HTTP scanner, the advisory importer, the <c>pending-packages</c> sweep and the
    /// <c>rescan-scanned-packages</c> schedule query.
    /// </summary>
    public static IServiceCollection AddPackages(this IServiceCollection services)
    {
        services.AddWorkerType<PackageScanHandler, PackageScanFinalHandler>(PackagesWorkerType.Name);
        services.AddOptions<PackagesOptions>().BindConfiguration(PackagesOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PackagesOptions>, PackagesOptionsValidator>();
        services.AddSingleton<PackageStore>();
        services.AddSingleton<PackageScanTrigger>();
        services.AddSingleton<PackageScanStore>();
        services.AddSingleton<AdvisoryImporter>();
        services.AddSingleton<SharedRateLimiter>();
        services.AddSingleton<IAdvisoryMatcher, OsvAdvisoryMatcher>();
        services.AddSingleton<LocalScanner>();
        services.AddSingleton<AdvisoryCache>();
        services.AddSingleton<PackageSliceScanner>();
        services.AddHttpClient(HttpScanner.HttpClientName, (sp, client) =>
            client.Timeout = sp.GetRequiredService<IOptions<PackagesOptions>>().Value.Http.Timeout);
        services.AddTransient<IPackageScanner>(sp => sp.GetRequiredService<IOptions<PackagesOptions>>().Value.Scanner == ScannerKinds.Http
            ? ActivatorUtilities.CreateInstance<HttpScanner>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpScanner.HttpClientName))
            : sp.GetRequiredService<LocalScanner>());
        services.AddTransient<PendingPackagesSweep>();
        services.AddSingleton<IScheduleQuery, RescanScannedPackagesQuery>();
        services.AddHostedService<PendingPackagesSchedule>();
        return services;
    }

    private sealed class PackagesOptionsValidator : IValidateOptions<PackagesOptions>
    {
        public ValidateOptionsResult Validate(string? name, PackagesOptions options)
        {
            if (options.Validate() is { } error)
            {
                return ValidateOptionsResult.Fail(error);
            }
            return ScheduleService.TryParseCron(options.PendingSweepCron, out var cronError)
                ? ValidateOptionsResult.Success
                : ValidateOptionsResult.Fail($"{PackagesOptions.Section}:PendingSweepCron: {cronError}");
        }
    }

    /// <summary>Registers the <c>pending-packages</c> sweep with its stable id, where the worker type is enabled.</summary>
    private sealed class PendingPackagesSchedule(IRecurringJobManager recurring, WorkerTypeRegistry workerTypes, IOptions<PackagesOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (workerTypes.TryGet(PackagesWorkerType.Name, out _))
            {
                recurring.AddOrUpdate<PendingPackagesSweep>(PendingPackagesSweep.RecurringJobId, QueueNames.Maintenance,
                    sweep => sweep.RunAsync(CancellationToken.None), options.Value.PendingSweepCron,
                    new RecurringJobOptions { MisfireHandling = MisfireHandlingMode.Relaxed });
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
