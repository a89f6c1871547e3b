using HangfireApp.Batches.Modules;
using HangfireApp.Workers.Bench;
using HangfireApp.Workers.Documents;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Rows;
using HangfireApp.Workers.Scrape;
using HangfireApp.Workers.Telemetry;

namespace HangfireApp.Workers;

/// <summary>The worker types of this build: one line per module. Each is enabled or disabled by <c>WorkerTypes:&lt;name&gt;:Enabled</c>.</summary>
public static class WorkerModules
{
    /// <summary>Every module, for the host's <see cref="WorkerTypesSetup.AddWorkerTypes"/>.</summary>
    public static IReadOnlyList<IWorkerTypeModule> All { get; } =
    [
        new BenchModule(),
        new BenchBulkModule(),
        new PackagesModule(),
        new RowsModule(),
        new ScrapeModule(),
        .. DocumentsModule.Stages,
        new TelemetryModule(),
    ];
}
