using HangfireApp.Batches.Modules;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Workers.Scrape;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.UnitTests.Scrape;

public sealed class ScrapeModuleTests
{
    private static ServiceProvider Services(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddWorkerTypes([new ScrapeModule()]);
        return services.BuildServiceProvider();
    }

    [Fact]
    public void ScrapeModule_GivesTheEngineSettingsScrapeDefaults_ThatConfigurationOverrides()
    {
        using var defaults = Services([]);
        var options = defaults.GetRequiredService<IOptionsMonitor<WorkerTypeOptions>>().Get(ScrapeWorkerType.Name);
        options.ChunkSize.ShouldBe(100);
        options.ItemTimeout.ShouldBe(TimeSpan.FromMinutes(5));
        options.MaxDegreeOfParallelism.ShouldBe(8); // the engine's own default

        using var configured = Services(new() { ["WorkerTypes:scrape:ChunkSize"] = "7" });
        configured.GetRequiredService<IOptionsMonitor<WorkerTypeOptions>>().Get(ScrapeWorkerType.Name).ChunkSize.ShouldBe(7);
    }

    [Fact]
    public void ScrapeModule_RefusesBadSettings_NamingThem()
    {
        using var services = Services(new() { ["WorkerTypes:scrape:PerHostConcurrency"] = "0" });

        var error = Should.Throw<OptionsValidationException>(() => services.GetRequiredService<IOptions<ScrapeOptions>>().Value);

        error.Message.ShouldContain("WorkerTypes:scrape:PerHostConcurrency");
    }
}
