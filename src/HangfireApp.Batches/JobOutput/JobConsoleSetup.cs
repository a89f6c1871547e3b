using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.JobOutput;

public static class JobConsoleSetup
{
    /// <summary>
    /// Job consoles stored in PostgreSQL (<c>JobConsole</c> settings), or — with <c>JobConsole:Enabled=false</c> —
    /// consoles that keep nothing. Registered before the engine's fallback, which then stays unused.
    /// </summary>
    public static IServiceCollection AddJobConsole(this IServiceCollection services)
    {
        services.AddOptions<JobConsoleOptions>().BindConfiguration(JobConsoleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<JobConsoleStore>();
        services.AddSingleton<PostgresJobConsoleFactory>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IJobConsoleFactory>(sp => sp.GetRequiredService<IOptions<JobConsoleOptions>>().Value.Enabled
            ? sp.GetRequiredService<PostgresJobConsoleFactory>()
            : new NullJobConsoleFactory());
        return services;
    }
}
