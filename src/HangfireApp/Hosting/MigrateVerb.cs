using HangfireApp.Batches.Database;

namespace HangfireApp.Hosting;

public static class MigrateVerb
{
    /// <summary><c>dotnet run --project src/HangfireApp -- migrate</c>: apply pending migrations and exit.</summary>
    public static int RunMigrateVerb(this WebApplication app)
    {
        app.Services.GetRequiredService<Migrator>().Migrate();
        return 0;
    }
}
