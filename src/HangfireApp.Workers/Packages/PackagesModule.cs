using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.Schedules;
using HangfireApp.Workers.Packages.Advisories;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages;

/// <summary>
/// The <c>packages</c> worker type: its handler and final handler, its settings (<c>WorkerTypes:packages</c> and
/// <c>Packages</c>), the local or HTTP scanner, the advisory importer, its tables, its API, the <c>pending-packages</c>
/// sweep and the <c>rescan-scanned-packages</c> schedule query.
/// </summary>
public sealed class PackagesModule : IWorkerTypeModule
{
    public string Name => PackagesWorkerType.Name;

    public void Register(WorkerTypeBuilder builder)
    {
        builder.BulkHandler<PackageScanHandler>()
            // A slice is a few round trips whatever its size, and its matching is CPU work: big slices, two at a time per
            // chunk (several chunks run at once already; on 2 cores, 4 slices per chunk ran 25–40 % slower in the same
            // runs, the CPU per package being the same: docs/benchmarks.md).
            .Defaults(defaults =>
            {
                defaults.ChunkSize = 1_000;
                defaults.SliceSize = 250;
                defaults.MaxDegreeOfParallelism = 2;
            })
            .FinalHandler<PackageScanFinalHandler>()
            .Options<PackagesOptions>(PackagesOptions.Section, Validate)
            .Migrations()
            .AuditActions(PackagesAuditActions.Register, PackagesAuditActions.RerunFailed, PackagesAuditActions.AdvisoriesImport)
            .RecurringJob<PendingPackagesSweep>(PendingPackagesSweep.RecurringJobId, sweep => sweep.RunAsync(CancellationToken.None),
                services => services.GetRequiredService<IOptions<PackagesOptions>>().Value.PendingSweepCron);

        var services = builder.Services;
        services.AddSingleton<PackageStore>();
        services.AddSingleton<PackageScanTrigger>();
        services.AddSingleton<PackageScanStore>();
        services.AddSingleton<AdvisoryImporter>();
        services.AddSingleton<IAdvisoryMatcher, OsvAdvisoryMatcher>();
        services.AddSingleton<LocalScanner>();
        services.AddSingleton<AdvisoryCache>();
        services.AddSingleton<AdvisoryCacheWarmer>();
        services.AddHostedService(sp => sp.GetRequiredService<AdvisoryCacheWarmer>());
        services.AddSingleton<PackageSliceScanner>();
        // The engine's outbound policy, bound from WorkerTypes:packages:Http (AllowPrivateNetworks, AllowedNetworks,
        // MaxAttempts, BackoffBase, MaxRetryAfter, Timeout per try).
        var defaults = new HttpScannerOptions();
        services.AddOutboundHttpClient(HttpScanner.HttpClientName, $"{PackagesOptions.Section}:Http", options =>
        {
            options.MaxAttempts = defaults.MaxAttempts;
            options.BackoffBase = defaults.BackoffBase;
            options.MaxRetryAfter = defaults.MaxRetryAfter;
            options.Timeout = defaults.Timeout; // per try
        });
        services.AddTransient<IPackageScanner>(sp => sp.GetRequiredService<IOptions<PackagesOptions>>().Value.Scanner == ScannerKinds.Http
            ? ActivatorUtilities.CreateInstance<HttpScanner>(sp, sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpScanner.HttpClientName))
            : sp.GetRequiredService<LocalScanner>());
        services.AddSingleton<IScheduleQuery, RescanScannedPackagesQuery>();
    }

    public void MapEndpoints(IEndpointRouteBuilder api) => PackagesApi.Map(api);

    private static string? Validate(PackagesOptions options) =>
        options.Validate()
        ?? (ScheduleService.TryParseCron(options.PendingSweepCron, out var cronError) ? null : $"{PackagesOptions.Section}:PendingSweepCron: {cronError}");
}

/// <summary>The audit actions of the <c>packages</c> API.</summary>
public static class PackagesAuditActions
{
    public const string Register = "packages.register";
    public const string RerunFailed = "packages.rerun_failed";
    public const string AdvisoriesImport = "advisories.import";
}
