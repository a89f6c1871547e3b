using HangfireApp.Batches;
using HangfireApp.Workers.Bench;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Rows;
using HangfireApp.Workers.Scrape;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Workers;

public static class WorkersSetup
{
    /// <summary>Every worker type of this build; each is enabled or disabled by <c>WorkerTypes:&lt;name&gt;:Enabled</c>.</summary>
    public static IServiceCollection AddWorkerTypes(this IServiceCollection services)
    {
        services.AddWorkerType<BenchHandler>(BenchHandler.Name, enabledByDefault: false);
        services.AddPackages();
        services.AddRows();
        services.AddScrape();
        return services;
    }
}
