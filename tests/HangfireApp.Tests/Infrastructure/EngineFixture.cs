using System.Net.Http.Json;
using System.Text.Json;
using HangfireApp.Batches.Queries;
using Npgsql;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>
/// One real host per test collection with the <c>bench</c> worker type on, small chunks, fast retries and
/// fast sweeps, on its own database. Tests create their own batches, so they never see each other's data.
/// </summary>
public sealed class EngineFixture : HostFixture
{
    public const string ViewerKey = "viewer-key-for-tests";

    public static Dictionary<string, string?> EngineSettings(string? role = null) => new()
    {
        ["App:Role"] = role ?? "all",
        ["WorkerTypes:bench:Enabled"] = "true",
        ["WorkerTypes:bench:ChunkSize"] = "10",
        ["WorkerTypes:bench:MaxDegreeOfParallelism"] = "4",
        ["WorkerTypes:bench:ItemTimeout"] = "00:00:03",
        ["WorkerTypes:bench:Retry:Attempts"] = "2",
        ["WorkerTypes:bench:Retry:DelaysSeconds:0"] = "1",
        // bench through a bulk handler, timed like bench: one slice of 4 at a time keeps a chunk of 10 about as long
        // in flight as bench's 4 items at a time, so the invariant tests run unchanged against both handler kinds.
        ["WorkerTypes:bench-bulk:Enabled"] = "true",
        ["WorkerTypes:bench-bulk:ChunkSize"] = "10",
        ["WorkerTypes:bench-bulk:SliceSize"] = "4",
        ["WorkerTypes:bench-bulk:MaxDegreeOfParallelism"] = "1",
        ["WorkerTypes:bench-bulk:ItemTimeout"] = "00:00:03",
        ["WorkerTypes:bench-bulk:Retry:Attempts"] = "2",
        ["WorkerTypes:bench-bulk:Retry:DelaysSeconds:0"] = "1",
        ["Chunks:HeartbeatInterval"] = "00:00:01",
        ["Chunks:FlushInterval"] = "00:00:00.200",
        ["Sweeps:Interval"] = "00:00:10",
        ["Sweeps:StallTimeout"] = "00:00:05",
        ["Batches:MaxItemsPerRequest"] = "5000",
        ["Hangfire:Servers:0:Name"] = "engine",
        ["Hangfire:Servers:0:Queues:0"] = "bench",
        ["Hangfire:Servers:0:Queues:1"] = "default",
        ["Hangfire:Servers:0:Queues:2"] = "bench-bulk",
        ["Hangfire:Servers:0:WorkerCount"] = "4",
        // The loopback stand-ins of external APIs (LoopbackServer, on 127.0.0.1) are allowed by the outbound policy,
        // as a deployment would allow its own network; everything else non-public stays refused.
        ["Webhooks:AllowedNetworks:0"] = "127.0.0.1",
        ["WorkerTypes:rows:AllowedNetworks:0"] = "127.0.0.1",
        ["WorkerTypes:packages:Http:AllowedNetworks:0"] = "127.0.0.1",
        // A viewer key, stored as its SHA-256 as production keys are.
        ["Auth:ApiKeys:0:Name"] = "tests-viewer",
        ["Auth:ApiKeys:0:Role"] = "viewer",
        ["Auth:ApiKeys:0:Sha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("viewer-key-for-tests"u8)),
    };

    protected override Dictionary<string, string?> HostSettings() => EngineSettings();
}

/// <summary>Shortcuts for the batches API, as a client would call it.</summary>
public static class BatchApi
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<BatchView> SubmitAsync(this HttpClient api, object body, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/batches") { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBeOneOf([200, 202], text);
        return JsonSerializer.Deserialize<BatchView>(text, Json)!;
    }

    public static async Task<BatchView> GetBatchAsync(this HttpClient api, long id) =>
        (await api.GetFromJsonAsync<BatchView>($"/api/batches/{id}", Json))!;

    public static Task<BatchView> WaitFinalAsync(this HttpClient api, long id, TimeSpan? timeout = null) =>
        Eventually.Until(() => api.GetBatchAsync(id), batch => batch.State is not ("created" or "running"),
            timeout ?? TimeSpan.FromSeconds(60), $"batch {id} to become final");

    public static object Items(int count, object payload) => Enumerable.Repeat(payload, count).ToArray();

    /// <summary>Item states as the items table has them, to check the batch's counters against.</summary>
    public static async Task<Dictionary<string, long>> ItemStatesAsync(this NpgsqlDataSource db, long batchId)
    {
        await using var command = db.CreateCommand("select state, count(*) from app.items where batch_id = @b group by state");
        command.Parameters.AddWithValue("b", batchId);
        var states = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            states[reader.GetString(0)] = reader.GetInt64(1);
        }
        return states;
    }

    public static async Task<long> ScalarAsync(this NpgsqlDataSource db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task<string?> TextAsync(this NpgsqlDataSource db, string sql, params (string Name, object Value)[] parameters)
    {
        await using var command = db.CreateCommand(sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        return await command.ExecuteScalarAsync() as string;
    }

    public static void ShouldMatchItems(this BatchView batch, Dictionary<string, long> states)
    {
        batch.ItemCounts.Succeeded.ShouldBe(states.GetValueOrDefault("succeeded"));
        batch.ItemCounts.Failed.ShouldBe(states.GetValueOrDefault("failed"));
        batch.ItemCounts.Cancelled.ShouldBe(states.GetValueOrDefault("cancelled"));
        (batch.ItemCounts.Pending + batch.ItemCounts.Running).ShouldBe(states.GetValueOrDefault("pending") + states.GetValueOrDefault("running"));
    }
}

[CollectionDefinition(Name)]
public sealed class EngineTests : ICollectionFixture<EngineFixture>
{
    public const string Name = "engine";
}
