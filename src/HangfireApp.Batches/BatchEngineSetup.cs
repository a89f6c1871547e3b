using HangfireApp.Batches.Queues;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches;

public static class BatchEngineSetup
{
    /// <summary>The batch engine: worker type registry, submit, chunk jobs, fan-in, sweeps.</summary>
    public static IServiceCollection AddBatchEngine(this IServiceCollection services)
    {
        services.AddSingleton<WorkerTypeRegistry>();
        services.AddSingleton<IQueueCatalog>(sp => sp.GetRequiredService<WorkerTypeRegistry>());
        services.AddSingleton<IValidateOptions<WorkerTypeOptions>, WorkerTypeOptionsValidator>();
        return services;
    }

    /// <summary>
    /// Registers a worker type: its handler (one instance per chunk: handlers may keep per-chunk state) and
    /// its settings from <c>WorkerTypes:&lt;name&gt;</c>. Touches no engine code.
    /// </summary>
    public static IServiceCollection AddWorkerType<THandler>(this IServiceCollection services, string name, bool enabledByDefault = true)
        where THandler : class, IItemHandler
    {
        if (!WorkerTypeRegistry.IsValidName(name))
        {
            // The name doubles as the default queue name, which Hangfire restricts.
            throw new ArgumentException($"Worker type name '{name}' must be lowercase letters, digits, '_' or '-'.", nameof(name));
        }
        services.AddSingleton(new WorkerTypeRegistration(name, typeof(THandler), enabledByDefault));
        services.AddScoped<THandler>();
        services.AddOptions<WorkerTypeOptions>(name).BindConfiguration($"{WorkerTypeOptions.Section}:{name}").ValidateOnStart();
        return services;
    }
}
