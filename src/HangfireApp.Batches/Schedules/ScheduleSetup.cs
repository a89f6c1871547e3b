using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Batches.Schedules;

public static class ScheduleSetup
{
    /// <summary>
    /// Recurring batch submissions: the schedule service, the <see cref="ScheduleJob"/> their recurring jobs
    /// run, and the schedules of appsettings.json (<c>Schedules</c>), applied at start. Worker types add named
    /// queries as <see cref="IScheduleQuery"/> services.
    /// </summary>
    public static IServiceCollection AddSchedules(this IServiceCollection services)
    {
        services.AddSingleton<ScheduleService>();
        services.AddTransient<ScheduleJob>();
        services.AddHostedService<ScheduleConfig>();
        return services;
    }
}
