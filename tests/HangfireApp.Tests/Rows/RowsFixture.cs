using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Serilog.Core;
using Serilog.Events;

namespace HangfireApp.Tests.Rows;

/// <summary>
/// One real host with the <c>rows</c> worker type on its own queue: small chunks, one quick chunk retry, a small
/// response cap, a secret key, and every log event of the app (Debug and up) captured in <see cref="Logs"/>.
/// </summary>
public sealed class RowsFixture : IAsyncLifetime
{
    // A fixed test key: 32 bytes, base64.
    public static readonly string SecretKey = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());

    private TestDatabase? _database;
    private AppFactory? _factory;

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public HttpClient Api { get; private set; } = null!;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public CapturedLogs Logs { get; } = new();

    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Queues:2"] = "rows";
        settings["Hangfire:Servers:0:WorkerCount"] = "6";
        settings["WorkerTypes:rows:ChunkSize"] = "3";
        settings["WorkerTypes:rows:MaxDegreeOfParallelism"] = "4";
        settings["WorkerTypes:rows:ItemTimeout"] = "00:00:20";
        settings["WorkerTypes:rows:Retry:Attempts"] = "2";
        settings["WorkerTypes:rows:Retry:DelaysSeconds:0"] = "1";
        settings["WorkerTypes:rows:SecretKey"] = SecretKey;
        settings["WorkerTypes:rows:MaxResponseBytes"] = "65536";
        settings["WorkerTypes:rows:BackoffBase"] = "00:00:00.050";
        settings["WorkerTypes:rows:MaxRows"] = "50";
        settings["WorkerTypes:rows:ProgressEvery"] = "2";
        settings["Serilog:MinimumLevel:Default"] = "Debug";
        settings["Serilog:MinimumLevel:Override:Npgsql"] = "Warning";
        settings["Serilog:MinimumLevel:Override:Microsoft"] = "Warning";
        settings["Serilog:MinimumLevel:Override:System.Net.Http"] = "Verbose";
        return settings;
    }

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        _factory = new AppFactory(_database, Settings());
        App = _factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<ILogEventSink>(Logs)));
        Api = App.CreateClient();
        Api.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
        Db = _database.CreateDataSource();
        await Eventually.Until(
            () => Api.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the host to become ready");
    }

    /// <summary>Posts a CSV and its call to <c>POST /api/rows/csv</c> as a client would (multipart).</summary>
    public async Task<(int Status, JsonElement Body)> UploadAsync(string csv, object? call, Dictionary<string, string>? fields = null, byte[]? rawFile = null)
    {
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(rawFile ?? Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        content.Add(file, "file", "people.csv");
        if (call is not null)
        {
            content.Add(new StringContent(call as string ?? JsonSerializer.Serialize(call)), "call");
        }
        foreach (var (name, value) in fields ?? [])
        {
            content.Add(new StringContent(value), name);
        }
        using var response = await Api.PostAsync(new Uri("/api/rows/csv", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>Uploads, expects 202, waits for the batch to be final and its output to be written; returns the batch id, state and output.</summary>
    public async Task<(long Id, string State, string Output)> RunAsync(string csv, object call, Dictionary<string, string>? fields = null)
    {
        var (status, body) = await UploadAsync(csv, call, fields);
        status.ShouldBe(202, body.ToString());
        var id = body.GetProperty("batch").GetProperty("id").GetInt64();
        var batch = await Api.WaitFinalAsync(id, TimeSpan.FromSeconds(60));
        var output = await Eventually.Until(() => Api.GetAsync(new Uri($"/api/batches/{id}/output.csv", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), $"the output of batch {id}");
        return (id, batch.State, await output.Content.ReadAsStringAsync());
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await _factory!.DisposeAsync();
        await Db.DisposeAsync();
        await _database!.DisposeAsync();
    }
}

/// <summary>Every log event the host writes, rendered with its properties, for tests that look for what must not be there.</summary>
public sealed class CapturedLogs : ILogEventSink
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public void Emit(LogEvent logEvent)
    {
        var properties = string.Join(" ", logEvent.Properties.Select(p => $"{p.Key}={p.Value}"));
        _lines.Enqueue($"{logEvent.Level} {logEvent.RenderMessage(System.Globalization.CultureInfo.InvariantCulture)} {properties} {logEvent.Exception}");
    }
}

[CollectionDefinition(Name)]
public sealed class RowsTests : ICollectionFixture<RowsFixture>
{
    public const string Name = "rows";
}
