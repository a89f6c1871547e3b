using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.Sweeps;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Console;

[Collection(ConsoleTests.Name)]
public sealed class JobConsoleStorageTests(EngineFixture engine)
{
    [Fact]
    public async Task WriteLine_StoresThousandLinesInFewStatements_InOrder()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory(o => o.FlushEveryLines = 500).Open(jobId, "Attempt 1"))
        {
            for (var i = 0; i < 1_000; i++)
            {
                console.WriteLine($"line {i}");
            }
        }

        var lines = await engine.LinesAsync(jobId);
        lines.Select(l => l.Text).ShouldBe(Enumerable.Range(0, 1_000).Select(i => $"line {i}"));
        // Each flush is one statement, hence one transaction: rows sharing an xmin came in one flush.
        var flushes = await engine.Db.ScalarAsync("select count(distinct xmin::text) from app.console_lines where job_id = @j", ("j", long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture)));
        flushes.ShouldBeInRange(1, 10);
    }

    [Fact]
    public async Task WriteLine_FromParallelWriters_KeepsEveryLineInEachWritersOrder()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory(o => o.FlushIntervalMs = 20).Open(jobId, "Attempt 1"))
        {
            await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                for (var i = 0; i < 500; i++)
                {
                    console.WriteLine($"{writer}:{i}");
                    if (i % 100 == 0)
                    {
                        await Task.Delay(25); // let flushes happen while others write
                    }
                }
            })));
        }

        var lines = await engine.LinesAsync(jobId);
        lines.Count.ShouldBe(4_000);
        lines.Select(l => l.Section).Distinct().Count().ShouldBe(1);
        foreach (var writer in lines.GroupBy(l => l.Text.Split(':')[0]))
        {
            writer.Select(l => int.Parse(l.Text.Split(':')[1], System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(Enumerable.Range(0, 500));
        }
    }

    [Fact]
    public async Task WriteLine_OverTheCap_DropsLinesAndSaysSo_AndCutsLongLines()
    {
        var jobId = engine.ParkedJob();
        await using (var console = engine.Factory(o => { o.MaxLinesPerJob = 10; o.MaxLineLength = 100; }).Open(jobId, "Attempt 1"))
        {
            console.WriteLine(new string('x', 250), ConsoleTextColor.Blue);
            for (var i = 1; i < 25; i++)
            {
                console.WriteLine($"line {i}");
            }
        }

        var lines = await engine.LinesAsync(jobId);
        lines[0].Text.ShouldBe(new string('x', 100) + "… (150 more characters)");
        lines[0].Color.ShouldBe("blue");
        lines.Count(l => l.Text.StartsWith("line ", StringComparison.Ordinal)).ShouldBe(9);
        lines.ShouldContain(l => l.Text == "Console limit of 10 lines reached: further lines are dropped" && l.Color == "yellow");
        lines[^1].Text.ShouldBe("15 line(s) dropped over the limit of 10");
    }

    [Fact]
    public async Task Sessions_OfOneJob_AreSeparateSections_WithTheirOwnProgress()
    {
        var jobId = engine.ParkedJob();
        var factory = engine.Factory();
        await using (var first = factory.Open(jobId, "Attempt 1"))
        {
            first.WriteLine("first try");
            first.Progress("items").Set(40);
            first.Progress("items").Set(60);
        }
        await using (var second = factory.Open(jobId, "Attempt 2"))
        {
            second.WriteLine("second try", ConsoleTextColor.Green);
            second.Progress("items").Set(250); // clamped
        }

        var snapshot = await engine.App.Service<JobConsoleStore>().ReadAsync(long.Parse(jobId, System.Globalization.CultureInfo.InvariantCulture), 0, 100, newest: false, CancellationToken.None);
        snapshot.Sections.Select(s => s.Title).ShouldBe(["Attempt 1", "Attempt 2"]);
        snapshot.Lines.Select(l => (l.SectionId, l.Text)).ShouldBe([(snapshot.Sections[0].Id, "first try"), (snapshot.Sections[1].Id, "second try")]);
        snapshot.Progress.Select(p => (p.SectionId, p.Name, p.Value)).ShouldBe([(snapshot.Sections[0].Id, "items", 60d), (snapshot.Sections[1].Id, "items", 100d)]);
    }

    [Fact]
    public async Task WriteLine_DoesNotWaitForTheDatabase()
    {
        var jobId = engine.ParkedJob();
        await using var console = engine.Factory(o => o.FlushIntervalMs = 60_000).Open(jobId, "Attempt 1");
        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; i < 100_000; i++)
        {
            console.WriteLine("fast");
        }
        // 100,000 lines (10,000 kept, the rest counted) in far less than one round trip each would take.
        watch.ElapsedMilliseconds.ShouldBeLessThan(2_000);
    }

    [Fact]
    public async Task RetentionSweep_DeletesSectionsOfExpiredJobsAndOldSections_KeepsCurrentOnes()
    {
        var factory = engine.Factory();
        var kept = engine.ParkedJob();
        var old = engine.ParkedJob();
        const string expired = "987654321"; // no such Hangfire job: it expired and Hangfire deleted it
        foreach (var job in new[] { kept, old, expired })
        {
            await using var console = factory.Open(job, "Attempt 1");
            console.WriteLine($"job {job}");
            console.Progress("items").Set(10);
        }
        await engine.Db.ScalarAsync("update app.console_sections set started_at = now() - interval '8 days' where job_id = @j returning 0", ("j", long.Parse(old, System.Globalization.CultureInfo.InvariantCulture)));

        var (sections, lines) = await engine.App.Service<ConsoleRetentionSweep>().SweepAsync(CancellationToken.None);

        sections.ShouldBeGreaterThanOrEqualTo(2);
        lines.ShouldBeGreaterThanOrEqualTo(2);
        (await engine.LinesAsync(kept)).Select(l => l.Text).ShouldBe([$"job {kept}"]);
        (await engine.LinesAsync(old)).ShouldBeEmpty();
        (await engine.LinesAsync(expired)).ShouldBeEmpty();
        (await engine.Db.ScalarAsync("select count(*) from app.console_progress where job_id = any(@j)", ("j", new[] { long.Parse(old, System.Globalization.CultureInfo.InvariantCulture), 987654321L }))).ShouldBe(0);
        (await engine.Db.ScalarAsync("select count(*) from app.console_progress where job_id = @j", ("j", long.Parse(kept, System.Globalization.CultureInfo.InvariantCulture)))).ShouldBe(1);
    }
}
