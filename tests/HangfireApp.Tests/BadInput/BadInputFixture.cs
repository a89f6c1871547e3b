using System.Globalization;
using System.Net;
using HangfireApp.Tests.Auth;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.BadInput;

/// <summary>
/// One web host (no job servers: nothing a request wrote could move on) with every worker type's endpoints and the
/// dashboard users, for the bad-input suites. <see cref="CountsAsync"/> is what "nothing was written" means.
/// </summary>
public sealed class BadInputFixture : HostFixture
{
    /// <summary>Every table a write endpoint writes to, counted before and after a refused request.</summary>
    private static readonly string[] Tables =
    [
        "app.batches", "app.items", "app.chunks", "app.continuations", "app.packages", "app.advisories", "app.advisory_packages",
        "app.findings", "app.schedules", "app.batch_outputs", "app.rows_calls", "hangfire.job",
    ];

    protected override Dictionary<string, string?> HostSettings()
    {
        var settings = EngineFixture.EngineSettings(role: "web");
        foreach (var (key, value) in DashboardTestUsers.Settings())
        {
            settings[key] = value;
        }
        settings["WorkerTypes:rows:SecretKey"] = Rows.RowsFixture.SecretKey;
        settings["Auth:Login:MaxFailuresPerAddress"] = "1000";
        settings["Auth:Login:MaxFailuresPerUser"] = "1000";
        return settings;
    }

    /// <summary>Row counts of every written table, as one comparable string.</summary>
    public async Task<string> CountsAsync()
    {
        var sql = string.Join(" union all ", Tables.Select(table => $"select '{table}', count(*) from {table}"));
        await using var command = Db.CreateCommand(sql);
        await using var reader = await command.ExecuteReaderAsync();
        var counts = new List<string>();
        while (await reader.ReadAsync())
        {
            counts.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.GetString(0)}={reader.GetInt64(1)}"));
        }
        return string.Join(", ", counts);
    }
}

[CollectionDefinition(Name)]
public sealed class BadInputTests : ICollectionFixture<BadInputFixture>
{
    public const string Name = "bad-input";
}

/// <summary>What a refused request must look like: a 4xx ProblemDetails, and no row written anywhere.</summary>
public static class Refusal
{
    public static async Task ShouldBeRefusedAsync(this HttpResponseMessage response, string why, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBeInRange(400, 499, $"{why}: {(int)response.StatusCode} {text}");
        if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json", $"{why}: {text}");
        }
        if (field is not null)
        {
            text.ShouldContain(field, Case.Sensitive, $"{why}: {text}");
        }
    }
}
