using System.Net;
using HangfireApp.Batches;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Scrape;

public static class ScrapeSetup
{
    /// <summary>
    /// The <c>scrape</c> worker type: its handler and final handler, its settings (<c>WorkerTypes:scrape</c>), and the
    /// process-wide fetcher, per-host throttle and robots.txt cache that every chunk of this process shares.
    /// </summary>
    public static IServiceCollection AddScrape(this IServiceCollection services)
    {
        // Defaults of the engine's settings that suit crawling (configuration still overrides them): a crawl
        // of a seed with politeness delays needs more than a minute, and small chunks keep a stop local.
        services.Configure<WorkerTypeOptions>(ScrapeWorkerType.Name, options =>
        {
            options.ChunkSize = 100;
            options.ItemTimeout = TimeSpan.FromMinutes(5);
        });
        services.AddWorkerType<ScrapeHandler, ScrapeFinalHandler>(ScrapeWorkerType.Name);
        services.AddOptions<ScrapeOptions>().BindConfiguration(ScrapeOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ScrapeOptions>, ScrapeOptionsValidator>();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ScrapeOptions>>().Value);
        services.AddSingleton(sp => new HostThrottle(sp.GetRequiredService<ScrapeOptions>().PerHostConcurrency));
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<ScrapeOptions>();
            Func<IPAddress, string?>? refuse = options.AllowPrivateNetworks ? null : AddressClassifier.WhyRefused;
            return new PageFetcher(options, sp.GetRequiredService<HostThrottle>(), refuse);
        });
        services.AddSingleton<RobotsCache>();
        services.AddSingleton<SiteReader>();
        services.AddSingleton<ScrapeAddressStore>();
        return services;
    }

    private sealed class ScrapeOptionsValidator : IValidateOptions<ScrapeOptions>
    {
        public ValidateOptionsResult Validate(string? name, ScrapeOptions options) =>
            options.Validate() is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}
