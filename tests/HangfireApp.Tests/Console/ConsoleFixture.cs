using Hangfire;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Tests.Dashboard;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HangfireApp.Tests.Console;

/// <summary>The console tests' own host and database (the retention sweep deletes other jobs' consoles).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleTests : ICollectionFixture<DashboardFixture>
{
    public const string Name = "console";
}

public static class ConsoleTestHelpers
{
    /// <summary>A console factory on the host's store with the given settings (the host's own uses appsettings).</summary>
    public static PostgresJobConsoleFactory Factory(this DashboardFixture engine, Action<JobConsoleOptions>? configure = null)
    {
        var options = new JobConsoleOptions();
        configure?.Invoke(options);
        return new PostgresJobConsoleFactory(engine.App.Service<JobConsoleStore>(), Options.Create(options), TimeProvider.System,
            NullLogger<PostgresJobConsoleFactory>.Instance);
    }

    /// <summary>A real Hangfire job that exists (so its details page renders) but does not run for a day.</summary>
    public static string ParkedJob(this DashboardFixture engine) =>
        engine.App.Service<IBackgroundJobClient>().Schedule(() => System.Console.WriteLine("parked"), TimeSpan.FromDays(1));

    public static async Task<List<(long Id, long Section, string? Color, string Text)>> LinesAsync(this DashboardFixture engine, string jobId)
    {
        await using var command = engine.Db.CreateCommand("select id, section_id, color, text from app.console_lines where job_id = @j order by id");
        command.Parameters.AddWithValue("j", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture));
        var lines = new List<(long, long, string?, string)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Add((reader.GetInt64(0), reader.GetInt64(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3)));
        }
        return lines;
    }

    /// <summary>A GET of a dashboard page (or console endpoint) by a signed-in operator, on the fixture's Kestrel host.</summary>
    public static async Task<(int Status, string ContentType, string Body)> DashboardGetAsync(this DashboardFixture engine, string pathAndQuery)
    {
        using var browser = await engine.SignInAsync();
        using var response = await browser.GetAsync(pathAndQuery);
        return ((int)response.StatusCode, response.Content.Headers.ContentType?.ToString() ?? "", await response.Content.ReadAsStringAsync());
    }
}
