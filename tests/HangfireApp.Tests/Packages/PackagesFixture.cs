using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Packages;

namespace HangfireApp.Tests.Packages;

/// <summary>
/// One real host with the <c>packages</c> and <c>bench</c> worker types on their own queues. The
/// <c>pending-packages</c> sweep is scheduled once a year and not run at registration, so tests run it when they mean to; state is
/// reset before each test (packages, findings, advisories, schedules).
/// </summary>
public sealed class PackagesFixture : HostFixture
{
    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Queues:2"] = "packages";
        settings["WorkerTypes:packages:ChunkSize"] = "4";
        settings["WorkerTypes:packages:MaxDegreeOfParallelism"] = "4";
        settings["WorkerTypes:packages:Retry:Attempts"] = "2";
        settings["WorkerTypes:packages:Retry:DelaysSeconds:0"] = "1";
        settings["WorkerTypes:packages:PendingSweepCron"] = "0 0 1 1 *";
        // These tests sweep when they mean to; scanning at registration has its own host (PackagesScanOnRegisterTests).
        settings["WorkerTypes:packages:ScanOnRegister"] = "false";
        settings["Schedules:cfg-nightly-rescan:Cron"] = "0 3 * * *";
        settings["Schedules:cfg-nightly-rescan:TimeZone"] = "Europe/Paris";
        settings["Schedules:cfg-nightly-rescan:WorkerType"] = "packages";
        settings["Schedules:cfg-nightly-rescan:Query"] = "rescan-scanned-packages";
        settings["Schedules:cfg-nightly-rescan:Priority"] = "low";
        return settings;
    }

    protected override Dictionary<string, string?> HostSettings() => Settings();

    public async Task ResetAsync()
    {
        // The previous test's last work may still be ending (a final handler, a slice's writes); a truncate that
        // deadlocks with it is simply done again.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var command = Db.CreateCommand("truncate app.findings, app.advisory_packages, app.advisories, app.packages; delete from app.schedules where source = 'api'");
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (Npgsql.PostgresException e) when (e.SqlState == Npgsql.PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
            }
        }
    }

    public T Service<T>() where T : notnull => App.Service<T>();

    public Task<SweepResult> SweepAsync() => App.Service<PendingPackagesSweep>().SweepAsync(CancellationToken.None);

    public static string Fixture(string name) => File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Packages", "Fixtures", name));

    public static readonly string[] AdvisoryFixtures =
        ["GHSA-jf85-cpcp-j695.json", "GHSA-p6mc-m468-83gw.json", "PYSEC-2019-217.json", "RUSTSEC-2021-0003.json", "GHSA-5crp-9r3c-p9vr.json", "GO-2023-1571.json"];

    /// <summary>Every advisory fixture as one JSON array.</summary>
    public static string AllAdvisories() => "[" + string.Join(",", AdvisoryFixtures.Select(Fixture)) + "]";

    public async Task<(int Status, JsonElement Body)> PostJsonAsync(string path, string json, string contentType = "application/json")
    {
        using var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        using var response = await Api.PostAsync(new Uri(path, UriKind.Relative), content);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> PostAsync(string path, object body)
    {
        using var response = await Api.PostAsJsonAsync(path, body);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        var body = await ReadAsync(response);
        ((int)response.StatusCode).ShouldBe(200, body.ToString());
        return body;
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class PackagesTests : ICollectionFixture<PackagesFixture>
{
    public const string Name = "packages";
}
