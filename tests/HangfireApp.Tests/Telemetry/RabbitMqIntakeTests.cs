using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using Npgsql;
using RabbitMQ.Client;

namespace HangfireApp.Tests.Telemetry;

/// <summary>
/// The RabbitMQ intake against the project's own RabbitMQ node (ops/rabbitmq.sh, started by ops/test.sh). The hosts
/// here only take matches in (the <c>telemetry</c> worker type is off), so what is measured is the intake itself:
/// every message registered once, acknowledged only after the commit, none lost when a consumer dies.
/// </summary>
public sealed class RabbitMqIntakeTests
{
    /// <summary>Set by ops/test.sh from ops/rabbitmq.sh; the script's default node otherwise.</summary>
    private static readonly string BrokerUri = Environment.GetEnvironmentVariable("HANGFIREAPP_TEST_RABBITMQ") ?? "amqp://guest:guest@127.0.0.1:55672/";

    [Fact]
    public async Task Intake_RegistersEachMatchOnce_MergesDuplicates_AndRejectsBadMessages()
    {
        var queue = $"telemetry-test-{Guid.NewGuid():N}";
        await using var database = await TestDatabase.CreateAsync();
        await PublishAsync(queue, [Encoding.UTF8.GetBytes("not json"), Encoding.UTF8.GetBytes("{\"matchId\":\"x\",\"telemetryUrl\":\"file:///etc/passwd\"}"), .. Messages(40), .. Messages(10)]);

        await using (var host = new AppFactory(database, IntakeSettings(queue)))
        {
            host.ApiClient().Dispose(); // starts the host
            await using var db = database.CreateDataSource();
            await Eventually.Until(() => CountAsync(db), count => count == 40, TimeSpan.FromSeconds(60), "the 40 distinct matches to be registered");
            await Eventually.Until(() => MessagesLeftAsync(queue), left => left == 0, TimeSpan.FromSeconds(30), "the queue to be drained");
            (await CountAsync(db, "status = 'pending' and source = 'url'")).ShouldBe(40);
            (await CountAsync(db, "match_id = 'x'")).ShouldBe(0);
        }
        await using (var db = database.CreateDataSource())
        {
            await ShouldOnlyHoldRegisteredMatchesAsync(queue, db);
        }
    }

    [Fact]
    public async Task Intake_LosesNoMessage_WhenTheConsumerIsKilledMidStream()
    {
        const int distinct = 2_500;
        var queue = $"telemetry-kill-{Guid.NewGuid():N}";
        await using var database = await TestDatabase.CreateAsync();
        await using var db = database.CreateDataSource();
        // 2,500 matches, 300 of them sent twice (at-least-once producers resend).
        await PublishAsync(queue, [.. Messages(distinct), .. Messages(300)]);

        long atKill;
        await using (var first = HostProcess.Start(ProcessSettings(database, queue)))
        {
            await first.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            await Eventually.Until(() => CountAsync(db), count => count >= 200, TimeSpan.FromSeconds(60), "the first consumer to register some matches");
            first.Kill(); // SIGKILL mid-stream: up to Prefetch messages were delivered but not acknowledged
            (await first.WaitForExitAsync(TimeSpan.FromSeconds(30))).ShouldBeTrue();
            atKill = await CountAsync(db);
        }
        atKill.ShouldBeLessThan(distinct, "the consumer must be killed before it finished the queue");

        await using (var second = HostProcess.Start(ProcessSettings(database, queue)))
        {
            await second.WaitUntilReadyAsync(TimeSpan.FromSeconds(90));
            await Eventually.Until(() => CountAsync(db), count => count == distinct, TimeSpan.FromSeconds(120), $"all {distinct} matches to be registered");
            await Eventually.Until(() => MessagesLeftAsync(queue), left => left == 0, TimeSpan.FromSeconds(30), "the queue to be drained");
        }
        (await CountAsync(db)).ShouldBe(distinct);
        await ShouldOnlyHoldRegisteredMatchesAsync(queue, db);
    }

    /// <summary>
    /// With the consumers gone, what is still in the queue are messages delivered but not yet acknowledged when the
    /// last host stopped (at most one prefetch window); they would be redelivered to the next consumer. None may be a
    /// match that is not registered: that would be a lost message.
    /// </summary>
    private static async Task ShouldOnlyHoldRegisteredMatchesAsync(string queue, NpgsqlDataSource db)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        var left = 0;
        while (await channel.BasicGetAsync(queue, autoAck: true) is { } message)
        {
            left++;
            var matchId = JsonDocument.Parse(message.Body).RootElement.GetProperty("matchId").GetString()!;
            (await db.ScalarAsync("select count(*) from app.telemetry_matches where match_id = @m", ("m", matchId))).ShouldBe(1, $"{matchId} is in the queue but not registered");
        }
        left.ShouldBeLessThanOrEqualTo(50);
        await channel.QueueDeleteAsync(queue);
    }

    private static Dictionary<string, string?> IntakeSettings(string queue) => new()
    {
        ["WorkerTypes:telemetry:Enabled"] = "false",
        ["WorkerTypes:telemetry:RabbitMq:Uri"] = BrokerUri,
        ["WorkerTypes:telemetry:RabbitMq:Queue"] = queue,
        ["WorkerTypes:telemetry:RabbitMq:Prefetch"] = "50",
        ["WorkerTypes:telemetry:RabbitMq:ReconnectDelay"] = "00:00:01",
    };

    private static Dictionary<string, string> ProcessSettings(TestDatabase database, string queue)
    {
        var settings = new Dictionary<string, string>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            ["Auth:BootstrapAdminKey"] = AppFactory.AdminKey,
            ["Serilog:MinimumLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in IntakeSettings(queue))
        {
            settings[key] = value!;
        }
        return settings;
    }

    private static IEnumerable<byte[]> Messages(int count) =>
        Enumerable.Range(0, count).Select(i => JsonSerializer.SerializeToUtf8Bytes(new
        {
            matchId = $"rabbit-match-{i:D5}",
            telemetryUrl = $"https://telemetry-cdn.example/bluehole-pubg/steam/2026/03/14/{i:D5}-telemetry.json",
        }));

    private static async Task<long> CountAsync(NpgsqlDataSource db, string where = "true")
    {
        try
        {
            return await db.ScalarAsync($"select count(*) from app.telemetry_matches where {where}");
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0; // the host has not migrated yet
        }
    }

    private static async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory { Uri = new Uri(BrokerUri) }.CreateConnectionAsync();

    private static async Task PublishAsync(string queue, IEnumerable<byte[]> messages)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        var properties = new BasicProperties { Persistent = true, ContentType = "application/json" };
        foreach (var message in messages)
        {
            await channel.BasicPublishAsync(string.Empty, queue, mandatory: true, properties, message);
        }
    }

    private static async Task<uint> MessagesLeftAsync(string queue)
    {
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        return (await channel.QueueDeclarePassiveAsync(queue)).MessageCount;
    }
}
