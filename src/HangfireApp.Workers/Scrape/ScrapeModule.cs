using HangfireApp.Batches.Modules;
using HangfireApp.Batches.Outbound;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Scrape;

/// <summary>
/// The <c>scrape</c> worker type: its handler and final handler, its settings (<c>WorkerTypes:scrape</c> and <c>Scrape</c>),
/// the process-wide fetcher, per-host throttle and robots.txt cache that every chunk of this process shares, its address
/// table and <c>POST /api/scrape</c>.
/// </summary>
public sealed class ScrapeModule : IWorkerTypeModule
{
    /// <summary>The audit action of a submit.</summary>
    public const string SubmitAction = "scrape.submit";

    public string Name => ScrapeWorkerType.Name;

    public void Register(WorkerTypeBuilder builder)
    {
        builder.Handler<ScrapeHandler>()
            .FinalHandler<ScrapeFinalHandler>()
            // Defaults that suit crawling (configuration still overrides them): a crawl of a seed with politeness
            // delays needs more than a minute, and small chunks keep a stop local.
            .Defaults(options =>
            {
                options.ChunkSize = 100;
                options.ItemTimeout = TimeSpan.FromMinutes(5);
            })
            .Options<ScrapeOptions>(ScrapeOptions.Section, options => options.Validate())
            .Migrations()
            .AuditActions(SubmitAction);

        var services = builder.Services;
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<ScrapeOptions>>().Value);
        services.AddSingleton(sp => new HostThrottle(sp.GetRequiredService<ScrapeOptions>().PerHostConcurrency));
        // The engine's outbound policy (WorkerTypes:scrape:AllowPrivateNetworks / AllowedNetworks): no retries here (the
        // handler counts consecutive errors and the chunk retries), no redirects followed (every hop is checked against robots.txt).
        services.AddOutboundHttpClient(PageFetcher.HttpClientName, ScrapeOptions.Section, options =>
        {
            options.MaxAttempts = 1;
            options.FollowRedirects = false;
        });
        services.AddSingleton(sp => new PageFetcher(sp.GetRequiredService<ScrapeOptions>(), sp.GetRequiredService<HostThrottle>(),
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(PageFetcher.HttpClientName)));
        services.AddSingleton<RobotsCache>();
        services.AddSingleton<SiteReader>();
        services.AddSingleton<ScrapeAddressStore>();
    }

    public void MapEndpoints(IEndpointRouteBuilder api) => ScrapeApi.Map(api);
}
