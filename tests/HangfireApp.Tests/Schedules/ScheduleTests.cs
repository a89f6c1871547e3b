using Hangfire;
using Hangfire.Storage;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Tests.Packages;

namespace HangfireApp.Tests.Schedules;

[Collection(PackagesTests.Name)]
public sealed class ScheduleTests(PackagesFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    [Fact]
    public async Task Create_MakesARecurringJob_AndTriggeringItSubmitsABatch()
    {
        var (status, created) = await fixture.PostAsync("/api/schedules", new
        {
            id = "bench-every-morning",
            cron = "30 6 * * 1-5",
            timeZone = "America/New_York",
            misfire = "ignorable",
            workerType = "bench",
            items = new object[] { new { }, new { delayMs = 10 }, new { } },
            priority = "high",
            description = "three bench items",
        });

        status.ShouldBe(201, created.ToString());
        created.GetProperty("recurringJobId").GetString().ShouldBe("schedule:bench-every-morning");
        created.GetProperty("nextExecution").ValueKind.ShouldBe(System.Text.Json.JsonValueKind.String);
        var job = RecurringJob("schedule:bench-every-morning");
        job.ShouldNotBeNull();
        job.Cron.ShouldBe("30 6 * * 1-5");
        job.TimeZoneId.ShouldBe("America/New_York");
        job.Job.Queue.ShouldBe("maintenance");
        (await fixture.GetAsync("/api/schedules")).EnumerateArray().Select(s => s.GetProperty("id").GetString())
            .ShouldBe(["bench-every-morning", "cfg-nightly-rescan"]);

        // As the dashboard's "Trigger now" does.
        fixture.Service<IRecurringJobManager>().Trigger("schedule:bench-every-morning");

        var schedule = await Eventually.Until(() => fixture.GetAsync("/api/schedules/bench-every-morning"),
            body => body.GetProperty("lastBatchId").ValueKind == System.Text.Json.JsonValueKind.Number, TimeSpan.FromSeconds(30), "the schedule to submit");
        var batch = await fixture.Api.WaitFinalAsync(schedule.GetProperty("lastBatchId").GetInt64());
        batch.State.ShouldBe("succeeded");
        batch.TotalItems.ShouldBe(3);
        batch.Priority.ShouldBe("high");
        batch.Description.ShouldBe("three bench items");
    }

    [Fact]
    public async Task Save_ReplacesAnExistingSchedule_AndDeleteRemovesItsRecurringJob()
    {
        var body = new { id = "rescan", cron = "0 2 * * *", workerType = "packages", query = "rescan-scanned-packages" };
        (await fixture.PostAsync("/api/schedules", body)).Status.ShouldBe(201);
        var (status, replaced) = await fixture.PostAsync("/api/schedules", body with { cron = "0 4 * * *" });
        status.ShouldBe(200);
        replaced.GetProperty("cron").GetString().ShouldBe("0 4 * * *");
        RecurringJob("schedule:rescan")!.Cron.ShouldBe("0 4 * * *");

        using var deleted = await fixture.Api.DeleteAsync(new Uri("/api/schedules/rescan", UriKind.Relative));
        ((int)deleted.StatusCode).ShouldBe(204);
        RecurringJob("schedule:rescan").ShouldBeNull();
        using var missing = await fixture.Api.GetAsync(new Uri("/api/schedules/rescan", UriKind.Relative));
        ((int)missing.StatusCode).ShouldBe(404);
    }

    [Theory]
    [InlineData("cron", "61 * * * *", "UTC")]
    [InlineData("cron", "every day", "UTC")]
    [InlineData("timeZone", "0 3 * * *", "Mars/Olympus_Mons")]
    public async Task Save_InvalidCronOrTimeZone_Returns400_AndWritesNothing(string field, string cron, string timeZone)
    {
        var (status, problem) = await fixture.PostAsync("/api/schedules", new { id = "bad", cron, timeZone, workerType = "bench", items = new[] { new { } } });

        status.ShouldBe(400, problem.ToString());
        problem.GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue(problem.ToString());
        (await fixture.Db.ScalarAsync("select count(*) from app.schedules where id = 'bad'")).ShouldBe(0);
        RecurringJob("schedule:bad").ShouldBeNull();
    }

    [Fact]
    public async Task Save_InvalidFields_Returns400NamingEach()
    {
        var (status, problem) = await fixture.PostAsync("/api/schedules", new
        {
            id = "Not Valid!", cron = "0 3 * * *", misfire = "sometimes", workerType = "bench", query = "rescan-scanned-packages", items = new[] { new { } },
        });

        status.ShouldBe(400);
        var errors = problem.GetProperty("errors");
        errors.TryGetProperty("id", out _).ShouldBeTrue();
        errors.TryGetProperty("misfire", out _).ShouldBeTrue();
        errors.TryGetProperty("items", out _).ShouldBeTrue();
        var (wrongType, typeProblem) = await fixture.PostAsync("/api/schedules", new { id = "x", cron = "0 3 * * *", workerType = "bench", query = "rescan-scanned-packages" });
        wrongType.ShouldBe(400);
        typeProblem.GetProperty("errors").GetProperty("query")[0].GetString()!.ShouldContain("packages");
    }

    [Fact]
    public async Task ConfigSchedule_ExistsAtStart_AndCannotBeDeletedThroughTheApi()
    {
        var schedule = await fixture.GetAsync("/api/schedules/cfg-nightly-rescan");
        schedule.GetProperty("source").GetString().ShouldBe("config");
        schedule.GetProperty("timeZone").GetString().ShouldBe("Europe/Paris");
        RecurringJob("schedule:cfg-nightly-rescan")!.Cron.ShouldBe("0 3 * * *");

        using var delete = await fixture.Api.DeleteAsync(new Uri("/api/schedules/cfg-nightly-rescan", UriKind.Relative));
        ((int)delete.StatusCode).ShouldBe(409);
    }

    [Fact]
    public async Task RescanQuery_SubmitsEveryScannedPackage_AndTheyAreScannedAgain()
    {
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.Fixture("GHSA-jf85-cpcp-j695.json"));
        await fixture.PostAsync("/api/packages", new[]
        {
            new { ecosystem = "npm", name = "lodash", version = "4.17.11" },
            new { ecosystem = "npm", name = "lodash", version = "4.17.21" },
        });
        var sweep = await fixture.SweepAsync();
        await fixture.Api.WaitFinalAsync(sweep.BatchIds.Single());
        await Eventually.Until(() => fixture.GetAsync("/api/packages?status=scanned"), body => body.GetProperty("total").GetInt64() == 2,
            TimeSpan.FromSeconds(20), "both packages to be scanned");
        // A new advisory arrives; the nightly rescan finds it for the packages scanned before it.
        await fixture.PostJsonAsync("/api/advisories/import", PackagesFixture.Fixture("GHSA-p6mc-m468-83gw.json"));

        var (_, trigger) = await fixture.PostAsync("/api/schedules/cfg-nightly-rescan/trigger", new { });
        _ = trigger;

        var schedule = await Eventually.Until(() => fixture.GetAsync("/api/schedules/cfg-nightly-rescan"),
            body => body.GetProperty("lastBatchId").ValueKind == System.Text.Json.JsonValueKind.Number, TimeSpan.FromSeconds(30), "the rescan to submit");
        var batch = await fixture.Api.WaitFinalAsync(schedule.GetProperty("lastBatchId").GetInt64());
        batch.TotalItems.ShouldBe(2);
        batch.Priority.ShouldBe("low");
        var page = await Eventually.Until(() => fixture.GetAsync("/api/packages?status=scanned"),
            body => body.GetProperty("total").GetInt64() == 2 && body.GetProperty("items")[0].GetProperty("lastBatchId").GetInt64() == batch.Id,
            TimeSpan.FromSeconds(20), "both packages to be rescanned");
        page.GetProperty("items")[0].GetProperty("findings").GetArrayLength().ShouldBe(2);
    }

    private RecurringJobDto? RecurringJob(string id)
    {
        using var connection = fixture.Service<JobStorage>().GetConnection();
        return connection.GetRecurringJobs([id]).SingleOrDefault(job => !job.Removed);
    }
}
