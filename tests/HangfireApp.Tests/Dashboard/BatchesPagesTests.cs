using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Dashboard;

[Collection(DashboardTests.Name)]
public sealed partial class BatchesPagesTests(DashboardFixture dashboard)
{
    private HttpClient Api => dashboard.Api;

    [Fact]
    public async Task List_ShowsEachBatchWithStateCountsAndProgress_AndFiltersByState()
    {
        var clean = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(12, new { }), description = "clean run" });
        var failing = await Api.SubmitAsync(new
        {
            workerType = "bench", description = "some fail",
            items = Enumerable.Range(0, 10).Select(i => (object)(i < 4 ? new { fail = "always" } : new { fail = "never" })).ToArray(),
        });
        await Api.WaitFinalAsync(clean.Id);
        await Api.WaitFinalAsync(failing.Id);
        using var browser = await dashboard.SignInAsync();

        var page = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches");

        page.Html.ShouldContain("id=\"batches-table\"");
        page.Html.ShouldMatch("<li class=\"active\">\\s*<a href=\"/hangfire/batches\">\\s*Batches\\s*</a>"); // the navigation item
        var cleanRow = Row(page.Html, clean.Id);
        cleanRow.ShouldContain("data-state=\"succeeded\"");
        cleanRow.ShouldContain("clean run");
        cleanRow.ShouldContain("<span class=\"batch-succeeded\">12</span>");
        cleanRow.ShouldContain("<span class=\"batch-progress-text\">100%</span>");
        cleanRow.ShouldContain($"href=\"/hangfire/batches/{clean.Id}\"");
        var failingRow = Row(page.Html, failing.Id);
        failingRow.ShouldContain("data-state=\"completed_with_failures\"");
        failingRow.ShouldContain("<span class=\"batch-failed\">4</span>");
        failingRow.ShouldContain("<span class=\"batch-succeeded\">6</span>");
        failingRow.ShouldContain("batch-progress-failed\" style=\"width: 40%\"");

        var filtered = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches?state=completed_with_failures&workerType=bench");
        filtered.Html.ShouldContain($"data-batch-id=\"{failing.Id}\"");
        filtered.Html.ShouldNotContain($"data-batch-id=\"{clean.Id}\"");
        filtered.Html.ShouldContain("<option value=\"completed_with_failures\" selected>");
        var otherType = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches?workerType=packages");
        otherType.Html.ShouldNotContain($"data-batch-id=\"{failing.Id}\"");
    }

    [Fact]
    public async Task List_PagesNewestFirst()
    {
        // Page size is 50: enough batches for a second page, whatever other tests created before.
        var submitted = new List<long>();
        for (var i = 0; i < 51; i++)
        {
            submitted.Add((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }) })).Id);
        }
        using var browser = await dashboard.SignInAsync();

        var first = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches");
        var second = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches?page=2");

        var firstIds = RowIds(first.Html);
        firstIds.Count.ShouldBe(50);
        firstIds[0].ShouldBe(submitted[^1]);
        firstIds.ShouldBeInOrder(SortDirection.Descending);
        RowIds(second.Html)[0].ShouldBe(submitted[0]);
        first.Html.ShouldContain("id=\"batches-next\"");
        second.Html.ShouldContain("id=\"batches-prev\"");
    }

    [Fact]
    public async Task List_RefusesABadFilter_WithProblemDetailsNamingTheField()
    {
        using var browser = await dashboard.SignInAsync();

        using var state = await browser.GetAsync("/hangfire/batches?state=exploded");
        using var page = await browser.GetAsync("/hangfire/batches/live?page=0");

        state.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        state.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await ProblemErrorsAsync(state)).ShouldContainKey("state");
        page.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await ProblemErrorsAsync(page)).ShouldContainKey("page");
    }

    [Fact]
    public async Task Details_ShowsSummaryErrorsGroupedByFingerprint_AndChunksLinkedToTheirJobs()
    {
        var items = Enumerable.Range(0, 20).Select(i => (object)(i < 15 ? new { fail = "always" } : new { fail = "never" })).ToArray();
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items, description = "errors <b>here</b>" })).Id);
        using var browser = await dashboard.SignInAsync();

        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{batch.Id}");

        page.Html.ShouldContain($"<h1 class=\"page-header\">Batch #{batch.Id} ");
        page.Html.ShouldContain("data-state=\"completed_with_failures\"");
        page.Html.ShouldContain("<td class=\"batch-description\">errors &lt;b&gt;here&lt;/b&gt;</td>");
        page.Html.ShouldContain("<span class=\"batch-failed\">15</span>");
        page.Html.ShouldContain("<span class=\"batch-succeeded\">5</span>");
        // One group of 15: the messages differ in item numbers, the fingerprint does not; it is HTML-escaped.
        var group = ErrorGroup().Match(page.Html);
        group.Success.ShouldBeTrue(page.Html);
        group.Groups["count"].Value.ShouldBe("15");
        group.Groups["fingerprint"].Value.ShouldBe("InvalidOperationException: Bench item &lt;n&gt; failed on attempt &lt;n&gt; as asked (&lt;value&gt;)");
        page.Html.ShouldContain("Bench item 0 failed on attempt 2");
        // Two chunks of 10, each linking to its Hangfire job.
        var jobIds = new List<long>();
        await using (var command = dashboard.Db.CreateCommand("select hangfire_job_id from app.chunks where batch_id = @b order by chunk_no"))
        {
            command.Parameters.AddWithValue("b", batch.Id);
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                jobIds.Add(long.Parse(reader.GetString(0), System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        jobIds.Count.ShouldBe(2);
        ChunkNumbers().Matches(page.Html).Select(m => m.Groups[1].Value).ShouldBe(["0", "1"]);
        foreach (var jobId in jobIds)
        {
            page.Html.ShouldContain($"<a class=\"chunk-job-link\" href=\"/hangfire/jobs/details/{jobId}\">#{jobId}</a>");
        }
        page.Html.ShouldContain("<td class=\"chunk-attempt\">2</td>");
        page.Html.ShouldContain("<td class=\"chunk-epoch\">");
        page.Html.ShouldContain("ago</td>"); // heartbeat age
        page.Html.ShouldContain("id=\"action-rerun-failed\"");
    }

    [Fact]
    public async Task Details_LinksParentAndChildBatches_AndShowsTheContinuationState()
    {
        var submitted = await Api.SubmitAsync(new
        {
            workerType = "bench", items = BatchApi.Items(6, new { }),
            continuation = new { next = new { workerType = "bench", chunkSize = 3 } },
        });
        var parent = await Api.WaitFinalAsync(submitted.Id);
        var childId = parent.Continuation!.NextBatchId!.Value;
        await Api.WaitFinalAsync(childId);
        using var browser = await dashboard.SignInAsync();

        var parentPage = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{parent.Id}");
        var childPage = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{childId}");

        parentPage.Html.ShouldContain($"<a class=\"batch-child-link\" href=\"/hangfire/batches/{childId}\">#{childId}</a>");
        parentPage.Html.ShouldContain("on success → <span class=\"continuation-state\">started</span>");
        parentPage.Html.ShouldContain($"<a class=\"continuation-next-link\" href=\"/hangfire/batches/{childId}\">#{childId}</a>");
        childPage.Html.ShouldContain($"<a class=\"batch-parent-link\" href=\"/hangfire/batches/{parent.Id}\">#{parent.Id}</a>");
        childPage.Html.ShouldContain("id=\"batch-errors-empty\"");
    }

    [Fact]
    public async Task Details_OfAnyStage_ShowsTheWholePipeline_WithStagesNotCreatedYet()
    {
        var submitted = await Api.SubmitAsync(new
        {
            workerType = "bench", items = BatchApi.Items(3, new { }),
            continuation = new { next = new { workerType = "bench", continuation = new { condition = "on_any_final", next = new { workerType = "bench", continuation = new { next = new { workerType = "bench-bulk" } } } } } },
        });
        var first = await Api.WaitFinalAsync(submitted.Id);
        var secondId = first.Continuation!.NextBatchId!.Value;
        var second = await Api.WaitFinalAsync(secondId);
        var thirdId = second.Continuation!.NextBatchId!.Value;
        await Api.WaitFinalAsync(thirdId);
        var fourthId = (await Eventually.Until(() => Api.GetBatchAsync(thirdId), b => b.Continuation?.NextBatchId is not null,
            TimeSpan.FromSeconds(30), "the fourth stage to start")).Continuation!.NextBatchId!.Value;
        await Api.WaitFinalAsync(fourthId);
        using var browser = await dashboard.SignInAsync();

        foreach (var (shown, others) in new[] { (first.Id, new[] { secondId, thirdId, fourthId }), (thirdId, new[] { first.Id, secondId, fourthId }) })
        {
            var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{shown}");
            var stages = StagesList().Match(page.Html).Groups[1].Value;
            StageItem().Count(stages).ShouldBe(4);
            stages.ShouldContain($"<strong>#{shown}</strong>");
            foreach (var other in others)
            {
                stages.ShouldContain($"<a class=\"pipeline-stage-link\" href=\"/hangfire/batches/{other}\">#{other}</a>");
            }
            stages.ShouldContain("bench-bulk");
            stages.ShouldContain("3 succeeded, 0 failed, 0 cancelled, 0 open");
        }
    }

    [GeneratedRegex("<ol class=\"pipeline-stages\">(.*?)</ol>", RegexOptions.Singleline)]
    private static partial Regex StagesList();

    [GeneratedRegex("<li class=\"pipeline-stage\"")]
    private static partial Regex StageItem();

    [Fact]
    public async Task Details_OfAnUnknownBatch_Is404ProblemDetails()
    {
        using var browser = await dashboard.SignInAsync();

        using var response = await browser.GetAsync("/hangfire/batches/987654321");

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).ShouldContain("Batch 987654321 does not exist.");
    }

    [Fact]
    public async Task LiveJson_ReportsARunningBatchAdvancing_UntilItIsFinal()
    {
        // 40 items of 300 ms in 4 chunks on 4 workers, 4 in flight each: about 1 s of work, flushed every 200 ms.
        var submitted = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(40, new { delayMs = 300 }) });
        using var browser = await dashboard.SignInAsync();

        var seen = new List<double>();
        var last = await Eventually.Until(async () =>
        {
            var live = (await browser.Http.GetFromJsonAsync<JsonElement>($"/hangfire/batches/{submitted.Id}/live"));
            seen.Add(live.GetProperty("batch").GetProperty("progress").GetDouble());
            return live;
        }, live => !live.GetProperty("batch").GetProperty("open").GetBoolean(), TimeSpan.FromSeconds(30), "the batch to end");
        var list = await browser.Http.GetFromJsonAsync<JsonElement>("/hangfire/batches/live?workerType=bench");

        var batch = last.GetProperty("batch");
        batch.GetProperty("state").GetString().ShouldBe("succeeded");
        batch.GetProperty("progressText").GetString().ShouldBe("100%");
        batch.GetProperty("succeeded").GetInt64().ShouldBe(40);
        batch.GetProperty("succeededPercent").GetString().ShouldBe("100");
        seen.ShouldBeInOrder(SortDirection.Ascending);
        seen.ShouldContain(p => p > 0 && p < 1, "progress was seen between 0 and 100%");
        var chunks = last.GetProperty("chunks").EnumerateArray().ToList();
        chunks.Count.ShouldBe(4);
        chunks.ShouldAllBe(chunk => chunk.GetProperty("state").GetString() == "succeeded" && chunk.GetProperty("succeeded").GetInt32() == 10);
        list.GetProperty("batches").EnumerateArray().ShouldContain(row => row.GetProperty("id").GetInt64() == submitted.Id);
    }

    [Fact]
    public async Task Pages_EscapeWhatUsersWrote()
    {
        var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }), description = "<script>alert('x')</script>" });
        using var browser = await dashboard.SignInAsync();

        var list = await DashboardFixture.GetPageAsync(browser, "/hangfire/batches");
        var details = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{batch.Id}");

        foreach (var html in new[] { Row(list.Html, batch.Id), details.Html })
        {
            html.ShouldNotContain("<script>alert");
            html.ShouldContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
        }
    }

    [Fact]
    public async Task WorkerTypes_ShowsQueuesSettingsServersAndThroughput()
    {
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(30, new { }) })).Id);
        using var browser = await dashboard.SignInAsync();

        var page = await DashboardFixture.GetPageAsync(browser, "/hangfire/worker-types");

        var row = WorkerTypeRow().Match(page.Html);
        row.Success.ShouldBeTrue(page.Html);
        var html = row.Value;
        foreach (var queue in new[] { "bench-1-high", "bench-2-normal", "bench-3-low", "bench" })
        {
            html.ShouldContain($"data-queue=\"{queue}\"");
        }
        html.ShouldContain("<td class=\"worker-type-chunk-size\">10</td>");
        html.ShouldContain("<td class=\"worker-type-parallelism\">4</td>");
        html.ShouldContain("2 attempt(s); delays 1 s");
        // The test host's one server "engine" (Hangfire names it host.engine:pid:guid) fetches the bench queues with 4 workers.
        html.ShouldMatch("class=\"worker-type-server\" data-server=\"[^\"]*engine:[^\"]+\"");
        html.ShouldContain("<span class=\"badge server-worker-count\">4</span>");
        // At least this batch's 30 items finished within the window.
        var recent = RecentItems().Match(html);
        recent.Success.ShouldBeTrue(html);
        long.Parse(recent.Groups[1].Value, System.Globalization.NumberStyles.AllowThousands, System.Globalization.CultureInfo.InvariantCulture).ShouldBeGreaterThanOrEqualTo(batch.ItemCounts.Succeeded);
        page.Html.ShouldMatch("<li class=\"active\">\\s*<a href=\"/hangfire/worker-types\">\\s*Worker types\\s*</a>");
    }

    internal static string Row(string html, long batchId)
    {
        var match = Regex.Match(html, $"<tr class=\"batch-row\" data-batch-id=\"{batchId}\">.*?</tr>", RegexOptions.Singleline);
        match.Success.ShouldBeTrue($"batch {batchId} is listed");
        return match.Value;
    }

    private static List<long> RowIds(string html) =>
        [.. BatchRowIds().Matches(html).Select(m => long.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture))];

    internal static async Task<Dictionary<string, string[]>> ProblemErrorsAsync(HttpResponseMessage response)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        return problem.GetProperty("errors").Deserialize<Dictionary<string, string[]>>()!;
    }

    [GeneratedRegex("<tr class=\"batch-row\" data-batch-id=\"(\\d+)\">")]
    private static partial Regex BatchRowIds();

    [GeneratedRegex("<tr class=\"error-group\"><td class=\"error-count\">(?<count>[\\d,]+)</td><td><code class=\"error-fingerprint\">(?<fingerprint>.*?)</code>")]
    private static partial Regex ErrorGroup();

    [GeneratedRegex("<tr class=\"chunk-row\" data-chunk-no=\"(\\d+)\">")]
    private static partial Regex ChunkNumbers();

    [GeneratedRegex("<tr class=\"worker-type-row\" data-worker-type=\"bench\">.*?</tr>", RegexOptions.Singleline)]
    private static partial Regex WorkerTypeRow();

    [GeneratedRegex("\\(([\\d,]+) items in 5 min\\)")]
    private static partial Regex RecentItems();
}
