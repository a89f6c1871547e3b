using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Batches.Database;

public static class DatabaseSetup
{
    /// <summary>
    /// Registers the one <see cref="NpgsqlDataSource"/> of the process and the migrator; migrations run
    /// on start unless <c>App:MigrateOnStart</c> is false.
    /// </summary>
    public static IServiceCollection AddAppDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DatabaseOptions>()
            .Configure(options =>
            {
                options.ConnectionString = ConnectionStrings.WithDefaults(
                    configuration.GetConnectionString(DatabaseOptions.ConnectionStringName) ?? "");
                options.MigrateOnStart = configuration.GetValue("App:MigrateOnStart", true);
            })
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString));
        services.AddSingleton<Migrator>();
        // Registered before any job server so that the schema exists before the first job runs.
        services.AddHostedService<MigrateOnStartService>();
        return services;
    }

    private sealed class MigrateOnStartService(Migrator migrator, IOptions<DatabaseOptions> options) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (options.Value.MigrateOnStart)
            {
                migrator.Migrate();
            }
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
