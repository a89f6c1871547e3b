using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Telemetry;

/// <summary>
/// One real host with the <c>telemetry</c> worker type on its queue (fast retries). The <c>pending-matches</c> sweep
/// is scheduled once a year: registrations sweep by themselves, which is what the tests exercise. Telemetry URLs are
/// served by a loopback server, so the outbound policy lets this type reach private addresses here.
/// State is reset before each test.
/// </summary>
public sealed class TelemetryFixture : HostFixture
{
    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Queues:2"] = "telemetry";
        settings["WorkerTypes:telemetry:Retry:Attempts"] = "2";
        settings["WorkerTypes:telemetry:Retry:DelaysSeconds:0"] = "1";
        settings["WorkerTypes:telemetry:PendingSweepCron"] = "0 0 1 1 *";
        settings["WorkerTypes:telemetry:AllowedNetworks:0"] = "127.0.0.1"; // the loopback stand-in file server
        return settings;
    }

    protected override Dictionary<string, string?> HostSettings() => Settings();

    public async Task ResetAsync()
    {
        await using var command = Db.CreateCommand("truncate app.telemetry_player_stats, app.telemetry_files, app.telemetry_matches");
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Uploads files as <c>file</c> parts.</summary>
    public async Task<(int Status, JsonElement Body)> UploadAsync(params (string FileName, byte[] Content)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (fileName, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".gz", StringComparison.Ordinal) ? "application/gzip" : "application/json");
            form.Add(part, "file", fileName);
        }
        using var response = await Api.PostAsync(new Uri("/api/telemetry/matches", UriKind.Relative), form);
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> RegisterUrlsAsync(params (string MatchId, string Url)[] matches)
    {
        using var response = await Api.PostAsJsonAsync("/api/telemetry/matches", matches.Select(m => new { matchId = m.MatchId, telemetryUrl = m.Url }));
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    public async Task<(int Status, JsonElement Body)> GetAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        return ((int)response.StatusCode, await ReadAsync(response));
    }

    /// <summary>Waits until the match is processed or failed, and returns it.</summary>
    public Task<JsonElement> WaitMatchAsync(string matchId) =>
        Eventually.Until(async () => (await GetAsync($"/api/telemetry/matches/{Uri.EscapeDataString(matchId)}")).Body,
            match => match.GetProperty("status").GetString() is "processed" or "failed", TimeSpan.FromSeconds(60), $"match {matchId} to be processed");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }
}

[CollectionDefinition(Name)]
public sealed class TelemetryTests : ICollectionFixture<TelemetryFixture>
{
    public const string Name = "telemetry";
}
