using Hangfire;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace HangfireApp.Batches.Modules;

/// <summary>The host's two calls for worker types: register every module, map every module's endpoints.</summary>
public static class WorkerTypesSetup
{
    /// <summary>
    /// Registers <paramref name="modules"/>: each declares its handler, settings, services, migrations, audit actions,
    /// recurring jobs and dashboard additions (<see cref="IWorkerTypeModule.Register"/>). Names must be unique and
    /// valid queue names; a bad module stops the process here, before anything runs.
    /// </summary>
    public static IServiceCollection AddWorkerTypes(this IServiceCollection services, IEnumerable<IWorkerTypeModule> modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var module in modules)
        {
            if (!WorkerTypeRegistry.IsValidName(module.Name))
            {
                // The name doubles as the default queue name, which Hangfire restricts.
                throw new ArgumentException($"Worker type name '{module.Name}' must be lowercase letters, digits, '_' or '-'.", nameof(modules));
            }
            if (!names.Add(module.Name))
            {
                throw new ArgumentException($"Two modules declare the worker type '{module.Name}'.", nameof(modules));
            }
            var builder = new WorkerTypeBuilder(module, services);
            module.Register(builder);
            builder.Complete();
            services.AddSingleton(module);
        }
        services.AddHostedService<WorkerTypeRecurringJobs>();
        return services;
    }

    /// <summary>
    /// Maps each module's endpoints on a route group of its own under <c>/api</c>, and makes each module's dashboard
    /// additions. Every registered module is mapped, enabled or not: a disabled type's submissions are refused by the
    /// engine (unknown or disabled worker type), with the same answer on every host.
    /// </summary>
    public static TApp MapWorkerTypes<TApp>(this TApp app)
        where TApp : IEndpointRouteBuilder
    {
        foreach (var module in app.ServiceProvider.GetServices<IWorkerTypeModule>())
        {
            module.MapEndpoints(app.MapGroup("/api"));
        }
        foreach (var addition in app.ServiceProvider.GetServices<WorkerTypeDashboardAddition>())
        {
            addition.Add(app.ServiceProvider);
        }
        return app;
    }

    /// <summary>Registers the recurring jobs of the enabled worker types, with their stable ids.</summary>
    private sealed class WorkerTypeRecurringJobs(
        IEnumerable<WorkerTypeRecurringJob> jobs, IRecurringJobManager recurring, WorkerTypeRegistry workerTypes, IServiceProvider services) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var job in jobs.Where(job => workerTypes.TryGet(job.WorkerType, out _)))
            {
                job.Register(recurring, services);
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
