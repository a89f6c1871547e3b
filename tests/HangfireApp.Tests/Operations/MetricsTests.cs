using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Operations;

[Collection(OperationsTests.Name)]
public sealed partial class MetricsTests(OperationsFixture host)
{
    public static readonly string[] RequiredNames =
    [
        "hangfireapp_queue_depth", "hangfireapp_queue_oldest_age_seconds", "hangfireapp_items_total",
        "hangfireapp_chunk_duration_seconds", "hangfireapp_chunk_wait_seconds", "hangfireapp_workers",
        "hangfireapp_workers_busy", "hangfireapp_batches",
    ];

    [Fact]
    public async Task Metrics_AreAnonymousPrometheusText_WithEngineRuntimeAndRequestMetrics()
    {
        var items = Enumerable.Range(0, 30).Select(i => (object)(i % 10 == 0 ? new { fail = "always" } : i % 10 == 1 ? new { fail = "once" } : new { })).ToArray();
        var batch = await host.Api.SubmitAsync(new { workerType = "bench", items });
        await host.Api.WaitFinalAsync(batch.Id);

        using var anonymous = host.App.CreateClient();
        var text = await Eventually.Until(() => ScrapeAsync(anonymous), t => Value(t, "hangfireapp_items_total", ("worker_type", "bench"), ("outcome", "failed")) >= 3,
            because: "the failed items to be counted");

        foreach (var name in RequiredNames)
        {
            text.ShouldContain($"# TYPE {name} ", customMessage: name);
        }
        Value(text, "hangfireapp_items_total", ("worker_type", "bench"), ("outcome", "succeeded")).ShouldBeGreaterThanOrEqualTo(27);
        Value(text, "hangfireapp_items_total", ("worker_type", "bench"), ("outcome", "retried")).ShouldBeGreaterThanOrEqualTo(6); // 3 fail-once + 3 fail-always on attempt 1
        Value(text, "hangfireapp_chunk_duration_seconds_count", ("worker_type", "bench")).ShouldBeGreaterThanOrEqualTo(3);
        Value(text, "hangfireapp_chunk_wait_seconds_count", ("worker_type", "bench")).ShouldBeGreaterThanOrEqualTo(3);
        Value(text, "hangfireapp_queue_depth", ("queue", "bench-2-normal")).ShouldBe(0);
        Value(text, "hangfireapp_queue_servers", ("queue", "bench-2-normal")).ShouldBe(1);
        Value(text, "hangfireapp_batches", ("state", "completed_with_failures")).ShouldBeGreaterThanOrEqualTo(1);
        Value(text, "hangfireapp_workers", ("server", Server(text))).ShouldBe(4);
        // .NET runtime (process statistics and the System.Runtime meter) and ASP.NET Core request metrics.
        text.ShouldContain("process_cpu_seconds_total");
        text.ShouldContain("dotnet_collection_count_total");
        text.ShouldContain("http_request_duration_seconds_bucket");
        // No id ever becomes a label value: no label holds a number-only value.
        NumericLabel().Matches(text).Select(m => m.Value).ShouldBeEmpty();
    }

    [Fact]
    public async Task QueueGauges_CountWaitingJobs_AndTheAgeOfTheOldest()
    {
        await host.Api.PostAsync(new Uri("/api/worker-types/bench/pause", UriKind.Relative), null);
        try
        {
            var batch = await host.Api.SubmitAsync(new { workerType = "bench", priority = "low", items = BatchApi.Items(30, new { }) });
            // Paused: the three chunks wait (deferred to Scheduled); enqueue one job by hand on the low queue to see it counted.
            using var anonymous = host.App.CreateClient();
            await host.Db.ScalarAsync("""
                insert into hangfire.jobqueue (jobid, queue) select j.id, 'bench-3-low' from hangfire.job j
                join app.chunks c on c.hangfire_job_id::bigint = j.id where c.batch_id = @b limit 1
                """, ("b", batch.Id));
            var text = await Eventually.Until(() => ScrapeAsync(anonymous), t => Value(t, "hangfireapp_queue_depth", ("queue", "bench-3-low")) >= 1,
                because: "the waiting job to be counted");
            Value(text, "hangfireapp_queue_oldest_age_seconds", ("queue", "bench-3-low")).ShouldBeGreaterThanOrEqualTo(0);
            await host.Db.ScalarAsync("delete from hangfire.jobqueue where queue = 'bench-3-low' and fetchedat is null");
        }
        finally
        {
            await host.Api.PostAsync(new Uri("/api/worker-types/bench/resume", UriKind.Relative), null);
        }
    }

    [Fact]
    public async Task Metrics_NeedTheScrapeKey_WhenOneIsConfigured()
    {
        var settings = OperationsFixture.Settings();
        settings["Metrics:ScrapeKeySha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("scrape-key"u8));
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database, settings);
        using var client = app.CreateClient();

        (await client.GetAsync(new Uri("/metrics", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer nope" } } };
        (await client.SendAsync(wrong)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var right = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { { "Authorization", "Bearer scrape-key" } } };
        using var response = await client.SendAsync(right);
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).ShouldContain("hangfireapp_batches");
    }

    [Fact]
    public async Task ServersSharingALabel_AreSummed_NotA500()
    {
        // A second host in this process with the same server name: its Hangfire server id differs only in the guid,
        // as the old and the new server do while a WorkerCount change replaces one (both label "name:pid").
        await using var second = new AppFactory(host.App.Database, OperationsFixture.Settings());
        using var secondApi = second.ApiClient();
        await Eventually.Until(() => secondApi.GetAsync(new Uri("/health/ready", UriKind.Relative)), r => r.IsSuccessStatusCode, because: "the second host");
        using var anonymous = host.App.CreateClient();

        var text = await Eventually.Until(() => ScrapeAsync(anonymous), t => Value(t, "hangfireapp_workers", ("server", Server(t))) == 8,
            because: "both servers' workers to be counted under their shared label");

        Value(text, "hangfireapp_queue_servers", ("queue", "bench-2-normal")).ShouldBe(2);
    }

    public static async Task<string> ScrapeAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The value of the one series of <paramref name="name"/> with these labels (others may exist); -1 if none.</summary>
    public static double Value(string text, string name, params (string Label, string Value)[] labels)
    {
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "{", StringComparison.Ordinal) && !line.StartsWith(name + " ", StringComparison.Ordinal))
            {
                continue;
            }
            if (labels.All(l => line.Contains($"{l.Label}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return -1;
    }

    private static string Server(string text) => ServerLabel().Match(text).Groups[1].Value;

    [GeneratedRegex("hangfireapp_workers\\{server=\"([^\"]+)\"\\}")]
    private static partial Regex ServerLabel();

    [GeneratedRegex("^hangfireapp_[a-z_]+\\{[^}]*=\"\\d+\"", RegexOptions.Multiline)]
    private static partial Regex NumericLabel();
}
