using Hangfire;
using Hangfire.Dashboard;
using HangfireApp.Batches;
using HangfireApp.Batches.Queries;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Batches.Control;
using HangfireApp.Batches.Metrics;
using HangfireApp.Dashboard.Operations;
using Microsoft.Extensions.Options;

namespace HangfireApp.Dashboard.Batches;

/// <summary>
/// The "Batches" and "Worker types" pages inside Hangfire's dashboard, their live-refresh JSON and the operator
/// actions. Hangfire keeps routes, navigation and assets in process-wide lists, so they are registered once per
/// process; every request resolves its services from its own host.
/// </summary>
public static class BatchesDashboardSetup
{
    /// <summary>Chunks per page on a batch's details page.</summary>
    public const int ChunkPageSize = 100;

    /// <summary>The window the worker types page measures recent throughput over.</summary>
    public static readonly TimeSpan ThroughputWindow = TimeSpan.FromMinutes(5);

    private const int MaxChildrenShown = 20;

    private static readonly Lock Registration = new();
    private static bool _registered;

    public static WebApplicationBuilder AddBatchesDashboard(this WebApplicationBuilder builder)
    {
        // Hangfire's dashboard checks the antiforgery token of every POST only when this service exists.
        builder.Services.AddAntiforgery();
        lock (Registration)
        {
            if (!_registered)
            {
                RegisterRoutes(DashboardRoutes.Routes);
                RegisterNavigation();
                var assembly = typeof(BatchesDashboardSetup).Assembly;
                DashboardRoutes.AddStylesheet(assembly, "HangfireApp.Dashboard.Batches.batches.css");
                DashboardRoutes.AddJavaScript(assembly, "HangfireApp.Dashboard.Batches.batches.js");
                DashboardRoutes.AddStylesheet(assembly, "HangfireApp.Dashboard.Operations.operations.css");
                DashboardRoutes.AddJavaScript(assembly, "HangfireApp.Dashboard.Operations.operations.js");
                // Before the job console (order 100): what the chunk did, first.
                GlobalConfiguration.Configuration.UseJobDetailsRenderer(10, ChunkJobPage.Render);
                _registered = true;
            }
        }
        return builder;
    }

    private static void RegisterRoutes(Hangfire.Dashboard.RouteCollection routes)
    {
        routes.Add("/batches", new ModelPageDispatcher<BatchListModel>(LoadListAsync, () => new BatchesListPage()));
        routes.Add("/batches/live", new JsonDispatcher(async (context, http) =>
        {
            var list = await LoadListAsync(context, http);
            return new BatchListLive([.. list.Batches.Items.Select(BatchLive.From)], list.Batches.Total);
        }));
        routes.Add(@"/batches/(?<id>\d+)", new ModelPageDispatcher<BatchDetailsModel>(LoadDetailsAsync, () => new BatchDetailsPage()));
        routes.Add(@"/batches/(?<id>\d+)/live", new JsonDispatcher(async (context, http) =>
        {
            // Only what the page updates in place: no error groups or child batches every two seconds.
            var id = DashboardResponses.RouteId(context, "id");
            var chunkPage = DashboardResponses.PageNumber(context, "chunks");
            var queries = http.RequestServices.GetRequiredService<BatchQueries>();
            var batch = await queries.GetAsync(id, http.RequestAborted) ?? throw DashboardProblemException.NotFound($"Batch {id} does not exist.");
            var chunks = await queries.ChunksPageAsync(id, chunkPage, ChunkPageSize, http.RequestAborted);
            var waits = await ChunkWaitText.LoadAsync(http.RequestServices.GetRequiredService<ChunkJobQueries>(), chunks.Items, http.RequestAborted);
            var now = DateTime.UtcNow;
            return new BatchDetailsLive(BatchLive.From(batch), [.. chunks.Items.Select(chunk => ChunkLive.From(chunk, now, waits))], ChunkWaitText.Summary(waits.Values, now) ?? "–");
        }));
        routes.Add(@"/batches/(?<id>\d+)/cancel", new BatchActionDispatcher(BatchAction.Cancel));
        routes.Add(@"/batches/(?<id>\d+)/rerun", new BatchActionDispatcher(BatchAction.Rerun));
        routes.Add(@"/batches/(?<id>\d+)/chunks/(?<chunk>\d+)/rerun", new BatchActionDispatcher(BatchAction.RerunChunk));
        routes.Add("/worker-types", new ModelPageDispatcher<WorkerTypesModel>(LoadWorkerTypesAsync, () => new WorkerTypesPage()));
        routes.Add("/worker-types/(?<name>[a-z0-9_-]{1,100})/pause", new ControlActionDispatcher(ControlAction.Pause));
        routes.Add("/worker-types/(?<name>[a-z0-9_-]{1,100})/resume", new ControlActionDispatcher(ControlAction.Resume));
        routes.Add("/worker-types/(?<name>[a-z0-9_-]{1,100})/max-running-chunks", new ControlActionDispatcher(ControlAction.MaxRunningChunks));
        routes.Add("/servers/(?<name>[^/]{1,300})/worker-count", new ControlActionDispatcher(ControlAction.WorkerCount));
    }

    private static void RegisterNavigation()
    {
        NavigationMenu.Items.Add(static page => new MenuItem("Batches", page.Url.To("/batches"))
        {
            Active = page.RequestPath.StartsWith("/batches", StringComparison.OrdinalIgnoreCase),
        });
        NavigationMenu.Items.Add(static page => new MenuItem("Worker types", page.Url.To("/worker-types"))
        {
            Active = page.RequestPath.StartsWith("/worker-types", StringComparison.OrdinalIgnoreCase),
        });
    }

    private static async Task<BatchListModel> LoadListAsync(DashboardContext context, HttpContext http)
    {
        var state = Blank(context.Request.GetQuery("state"));
        if (state is not null && !BatchFormat.BatchStates.Contains(state))
        {
            throw DashboardProblemException.BadField("state", $"state must be one of {string.Join(", ", BatchFormat.BatchStates)}.");
        }
        var workerType = Blank(context.Request.GetQuery("workerType"));
        if (workerType is { Length: > 100 })
        {
            throw DashboardProblemException.BadField("workerType", "workerType is at most 100 characters.");
        }
        var page = DashboardResponses.PageNumber(context, "page");
        var services = http.RequestServices;
        var pageSize = services.GetRequiredService<IOptions<BatchLimitsOptions>>().Value.PageSize;
        var batches = await services.GetRequiredService<BatchQueries>().ListAsync(state, workerType, page, pageSize, http.RequestAborted);
        var types = services.GetRequiredService<WorkerTypeRegistry>().Enabled.Select(type => type.Name)
            .Concat(workerType is null ? [] : [workerType]).Distinct().Order(StringComparer.Ordinal).ToList();
        return new BatchListModel(batches, state, workerType, types);
    }

    private static async Task<BatchDetailsModel> LoadDetailsAsync(DashboardContext context, HttpContext http)
    {
        var id = DashboardResponses.RouteId(context, "id");
        var chunkPage = DashboardResponses.PageNumber(context, "chunks");
        var queries = http.RequestServices.GetRequiredService<BatchQueries>();
        var cancellationToken = http.RequestAborted;
        var batch = await queries.GetAsync(id, cancellationToken) ?? throw DashboardProblemException.NotFound($"Batch {id} does not exist.");
        var chunks = await queries.ChunksPageAsync(id, chunkPage, ChunkPageSize, cancellationToken);
        var errors = batch.ItemCounts.Failed == 0 ? [] : await queries.ErrorsAsync(id, cancellationToken);
        var children = new List<BatchView>();
        foreach (var childId in batch.ChildBatchIds.Take(MaxChildrenShown))
        {
            if (await queries.GetAsync(childId, cancellationToken) is { } child)
            {
                children.Add(child);
            }
        }
        var waits = await ChunkWaitText.LoadAsync(http.RequestServices.GetRequiredService<ChunkJobQueries>(), chunks.Items, cancellationToken);
        return new BatchDetailsModel(batch, chunks, errors, children, BatchesDashboardAccess.CanOperate(context), DateTime.UtcNow, waits);
    }

    private static async Task<WorkerTypesModel> LoadWorkerTypesAsync(DashboardContext context, HttpContext http)
    {
        var registry = http.RequestServices.GetRequiredService<WorkerTypeRegistry>();
        var activity = await http.RequestServices.GetRequiredService<BatchQueries>().WorkerTypeActivityAsync(ThroughputWindow, http.RequestAborted);
        var monitoring = context.Storage.GetMonitoringApi();
        var servers = monitoring.Servers();
        var rows = new List<WorkerTypeRow>();
        foreach (var type in registry.Enabled.OrderBy(type => type.Name, StringComparer.Ordinal))
        {
            var queues = QueueNames.Expand(type.Queue).ToList();
            var serving = QueueNames.Serving(servers, type.Queue)
                .OrderBy(server => server.Name, StringComparer.Ordinal)
                .Select(server => new ServingServer(server.Name, server.WorkersCount, server.Heartbeat, [.. server.Queues]))
                .ToList();
            rows.Add(new WorkerTypeRow(type,
                [.. queues.Select(queue => (queue, monitoring.EnqueuedCount(queue)))],
                activity.FirstOrDefault(a => a.WorkerType == type.Name) ?? new WorkerTypeActivityView(type.Name, 0, 0, 0, 0),
                serving));
        }
        var controls = (await http.RequestServices.GetRequiredService<WorkerTypeControls>().ListAsync(http.RequestAborted))
            .ToDictionary(control => control.WorkerType, StringComparer.Ordinal);
        var now = DateTime.UtcNow;
        var charts = await OperationsCharts.BuildAsync(http.RequestServices.GetRequiredService<ChartQueries>(), now, http.RequestAborted);
        return new WorkerTypesModel(rows, ThroughputWindow, now, controls, charts, BatchesDashboardAccess.CanOperate(context));
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
