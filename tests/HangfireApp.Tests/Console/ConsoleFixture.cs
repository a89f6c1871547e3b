using System.Net;
using System.Text;
using Hangfire;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace HangfireApp.Tests.Console;

/// <summary>The console tests' own host and database (the retention sweep deletes other jobs' consoles).</summary>
[CollectionDefinition(Name)]
public sealed class ConsoleTests : ICollectionFixture<EngineFixture>
{
    public const string Name = "console";
}

public static class ConsoleTestHelpers
{
    /// <summary>A console factory on the host's store with the given settings (the host's own uses appsettings).</summary>
    public static PostgresJobConsoleFactory Factory(this EngineFixture engine, Action<JobConsoleOptions>? configure = null)
    {
        var options = new JobConsoleOptions();
        configure?.Invoke(options);
        return new PostgresJobConsoleFactory(engine.App.Service<JobConsoleStore>(), Options.Create(options), TimeProvider.System,
            NullLogger<PostgresJobConsoleFactory>.Instance);
    }

    /// <summary>A real Hangfire job that exists (so its details page renders) but does not run for a day.</summary>
    public static string ParkedJob(this EngineFixture engine) =>
        engine.App.Service<IBackgroundJobClient>().Schedule(() => System.Console.WriteLine("parked"), TimeSpan.FromDays(1));

    public static async Task<List<(long Id, long Section, string? Color, string Text)>> LinesAsync(this EngineFixture engine, string jobId)
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

    /// <summary>
    /// A GET of a dashboard page as a loopback client. The dashboard admits local requests only (until login
    /// exists), and the in-memory test server leaves the remote address empty, so the request sets it.
    /// </summary>
    public static async Task<(int Status, string ContentType, string Body)> DashboardGetAsync(this EngineFixture engine, string pathAndQuery)
    {
        var uri = new Uri("http://localhost" + pathAndQuery);
        var context = await engine.App.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = uri.AbsolutePath;
            c.Request.QueryString = new QueryString(uri.Query);
            c.Connection.RemoteIpAddress = IPAddress.Loopback;
            c.Connection.LocalIpAddress = IPAddress.Loopback;
        });
        using var reader = new StreamReader(context.Response.Body, Encoding.UTF8);
        return (context.Response.StatusCode, context.Response.ContentType ?? "", await reader.ReadToEndAsync());
    }
}
