using System.Globalization;
using System.Text.Json;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Console;

[Collection(ConsoleTests.Name)]
public sealed class ChunkConsoleTests(EngineFixture engine)
{
    [Fact]
    public async Task ChunkJob_WritesEventLinesAndProgress_WithOneSectionPerAttempt()
    {
        var items = Enumerable.Range(0, 10).Select(i => (object)(i < 3 ? new { fail = "once" } : new { })).ToArray();
        var batch = await engine.Api.SubmitAsync(new { workerType = "bench", items });
        await engine.Api.WaitFinalAsync(batch.Id);
        var jobId = await engine.Db.ScalarAsync("select hangfire_job_id::bigint from app.chunks where batch_id = @b", ("b", batch.Id));

        // The last flush happens as the job ends, just after the chunk is final.
        var snapshot = await Eventually.Until(
            () => engine.App.Service<JobConsoleStore>().ReadAsync(jobId, 0, 1_000, newest: false, CancellationToken.None),
            s => s.Sections.Count == 2 && s.Lines.Any(l => l.SectionId == s.Sections[1].Id && l.Text.Contains("succeeded", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "both attempts' console sections");

        snapshot.Sections.Select(s => s.Title).ShouldBe(["Attempt 1", "Attempt 2"]);
        var first = snapshot.Lines.Where(l => l.SectionId == snapshot.Sections[0].Id).Select(l => l.Text).ToList();
        var second = snapshot.Lines.Where(l => l.SectionId == snapshot.Sections[1].Id).Select(l => l.Text).ToList();
        first[0].ShouldStartWith($"Claimed chunk ");
        first[0].ShouldContain("attempt 1/2, epoch 1");
        first.Count(l => l.Contains("failed (attempt 1, will be retried)", StringComparison.Ordinal)).ShouldBe(3);
        first.ShouldContain(l => l.StartsWith("7 succeeded, 3 failed, 3 left, in ", StringComparison.Ordinal));
        first[^1].ShouldStartWith("Retrying in 1 s: 3 item(s) failed");
        second[0].ShouldContain("attempt 2/2, epoch 2");
        second.ShouldContain(l => l.StartsWith("3 succeeded, 0 failed, 0 left", StringComparison.Ordinal));
        snapshot.Lines.Single(l => l.Text.StartsWith("Retrying", StringComparison.Ordinal)).Color.ShouldBe("yellow");
        // The progress bar follows the chunk's items: all of this attempt's items written.
        snapshot.Progress.ShouldContain(p => p.SectionId == snapshot.Sections[1].Id && p.Name == "items" && p.Value == 100);
    }

    [Fact]
    public async Task DetailsPage_RendersTheConsole_WithSectionsLinesAndProgress()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory().Open(jobId, "Attempt 1"))
        {
            console.WriteLine("hello from the job", ConsoleTextColor.Green);
            console.Progress("items").Set(42);
        }

        var (status, _, html) = await engine.DashboardGetAsync($"/hangfire/jobs/details/{jobId}");

        status.ShouldBe(200);
        html.ShouldContain($"id=\"job-console\" class=\"job-console\" data-job-id=\"{jobId}\"");
        html.ShouldContain("data-lines-url=\"/hangfire/console/lines\"");
        html.ShouldContain("<div class=\"console-section-title\">Attempt 1 ");
        html.ShouldContain("class=\"console-line console-color-green\"");
        html.ShouldContain("<span class=\"console-text\">hello from the job</span>");
        html.ShouldContain("<div class=\"console-progress\" data-name=\"items\">");
        html.ShouldContain("style=\"width:42%\"");
        // A scheduled job's console is not live: the page does not poll.
        html.ShouldContain("data-live=\"false\"");
    }

    [Fact]
    public async Task DetailsPage_ShowsMarkupAJobWrote_AsText()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory().Open(jobId, "<b>Attempt</b>"))
        {
            console.WriteLine("<script>alert('x')</script> & <img src=x onerror=alert(1)>");
            console.Progress("<i>bar</i>").Set(5);
        }

        var (status, _, html) = await engine.DashboardGetAsync($"/hangfire/jobs/details/{jobId}");

        status.ShouldBe(200);
        html.ShouldContain("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;");
        html.ShouldNotContain("<script>alert(");
        html.ShouldNotContain("<img src=x");
        html.ShouldContain("&lt;b&gt;Attempt&lt;/b&gt;");
        html.ShouldContain("data-name=\"&lt;i&gt;bar&lt;/i&gt;\"");
        html.ShouldNotContain("<i>bar</i>");
    }

    [Fact]
    public async Task DetailsPage_ShowsNoConsole_ForAJobThatNeverWroteOne()
    {
        var jobId = engine.ParkedJob();

        var (status, _, html) = await engine.DashboardGetAsync($"/hangfire/jobs/details/{jobId}");

        status.ShouldBe(200);
        html.ShouldNotContain("id=\"job-console\"");
    }

    [Fact]
    public async Task LinesEndpoint_ReturnsOnlyLinesAfterTheCursor()
    {
        var jobId = engine.ParkedJob();
        var factory = engine.Factory();
        await using (var console = factory.Open(jobId, "Attempt 1"))
        {
            console.WriteLine("one");
            console.WriteLine("two", ConsoleTextColor.Red);
        }
        var all = await LinesAsync(jobId, 0);
        all.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()).ShouldBe(["one", "two"]);
        all.GetProperty("lines")[1].GetProperty("color").GetString().ShouldBe("red");
        all.GetProperty("sections")[0].GetProperty("title").GetString().ShouldBe("Attempt 1");
        all.GetProperty("live").GetBoolean().ShouldBeFalse();
        all.GetProperty("state").GetString().ShouldBe("Scheduled");
        var cursor = all.GetProperty("last").GetInt64();

        (await LinesAsync(jobId, cursor)).GetProperty("lines").GetArrayLength().ShouldBe(0);

        await using (var console = factory.Open(jobId, "Attempt 2"))
        {
            console.WriteLine("three");
            console.Progress("items").Set(75);
        }
        var next = await LinesAsync(jobId, cursor);
        next.GetProperty("lines").EnumerateArray().Select(l => l.GetProperty("text").GetString()).ShouldBe(["three"]);
        next.GetProperty("sections").GetArrayLength().ShouldBe(2);
        next.GetProperty("progress")[0].GetProperty("value").GetDouble().ShouldBe(75);
        next.GetProperty("last").GetInt64().ShouldBeGreaterThan(cursor);
    }

    [Fact]
    public async Task LinesEndpoint_PagesLongConsoles_WithMore()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory(o => o.MaxLinesPerJob = 20_000).Open(jobId, "Attempt 1"))
        {
            for (var i = 0; i < 12_000; i++)
            {
                console.WriteLine($"line {i}");
            }
        }
        var first = await LinesAsync(jobId, 0);
        first.GetProperty("lines").GetArrayLength().ShouldBe(5_000);
        first.GetProperty("more").GetBoolean().ShouldBeTrue();
        var second = await LinesAsync(jobId, first.GetProperty("last").GetInt64());
        second.GetProperty("lines")[0].GetProperty("text").GetString().ShouldBe("line 5000");
        var third = await LinesAsync(jobId, second.GetProperty("last").GetInt64());
        third.GetProperty("lines").GetArrayLength().ShouldBe(2_000);
        third.GetProperty("more").GetBoolean().ShouldBeFalse();
    }

    [Theory]
    [InlineData("/hangfire/console/lines?job=abc", "job")]
    [InlineData("/hangfire/console/lines", "job")]
    [InlineData("/hangfire/console/lines?job=1&after=-5", "after")]
    [InlineData("/hangfire/console/progress?jobs=1,x", "jobs")]
    public async Task Endpoints_AnswerBadQueries_With400NamingTheField(string path, string field)
    {
        var (status, contentType, body) = await engine.DashboardGetAsync(path);

        status.ShouldBe(400);
        contentType.ShouldStartWith("application/problem+json");
        JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(body);
    }

    [Fact]
    public async Task ProgressEndpoint_ReturnsTheLatestSectionsBars_ForTheListedJobs()
    {
        var factory = engine.Factory();
        var busy = engine.ParkedJob();
        var silent = engine.ParkedJob();
        await using (var console = factory.Open(busy, "Attempt 1"))
        {
            console.Progress("items").Set(100);
        }
        await using (var console = factory.Open(busy, "Attempt 2"))
        {
            console.Progress("items").Set(30);
            console.Progress("pages").Set(50);
        }

        var (status, _, body) = await engine.DashboardGetAsync($"/hangfire/console/progress?jobs={busy},{silent}");

        status.ShouldBe(200);
        var json = JsonDocument.Parse(body).RootElement;
        json.GetProperty(busy).EnumerateArray().Select(b => (b.GetProperty("name").GetString(), b.GetProperty("value").GetDouble()))
            .ShouldBe([("items", 30d), ("pages", 50d)]);
        json.TryGetProperty(silent, out _).ShouldBeFalse();
    }

    [Fact]
    public async Task DashboardScript_IsServedInHangfiresBundle()
    {
        var (_, _, page) = await engine.DashboardGetAsync("/hangfire/jobs/processing");
        var script = System.Text.RegularExpressions.Regex.Match(page, "<script src=\"/hangfire(/js[0-9]+)\"").Groups[1].Value;
        script.ShouldNotBeEmpty();

        var (status, _, bundle) = await engine.DashboardGetAsync("/hangfire" + script);

        status.ShouldBe(200);
        bundle.ShouldContain("getElementById('job-console')");
        bundle.ShouldContain("/console/progress");
    }

    private async Task<JsonElement> LinesAsync(string jobId, long after)
    {
        var (status, contentType, body) = await engine.DashboardGetAsync($"/hangfire/console/lines?job={jobId}&after={after.ToString(CultureInfo.InvariantCulture)}");
        status.ShouldBe(200, body);
        contentType.ShouldStartWith("application/json");
        return JsonDocument.Parse(body).RootElement;
    }
}
