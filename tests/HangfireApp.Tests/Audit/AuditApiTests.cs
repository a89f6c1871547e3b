using System.Net;
using System.Net.Http.Json;
using HangfireApp.Batches.Audit;
using HangfireApp.Batches.Queries;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Audit;

[Collection(EngineTests.Name)]
public sealed class AuditApiTests(EngineFixture engine)
{
    private HttpClient Api => engine.Api;

    [Fact]
    public async Task SubmitCancelAndRerun_ThroughTheApi_AreAudited_WithTheKeyNameAsActor()
    {
        var cancelled = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(40, new { delayMs = 300 }) });
        using (var cancel = await Api.PostAsync(new Uri($"/api/batches/{cancelled.Id}/cancel", UriKind.Relative), null))
        {
            cancel.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }
        var failing = await Api.SubmitAsync(new { workerType = "bench", items = new object[] { new { fail = "always" }, new { } } });
        await Api.WaitFinalAsync(failing.Id);
        using (var rerun = await Api.PostAsJsonAsync($"/api/batches/{failing.Id}/rerun", new { scope = "failed" }))
        {
            rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        }

        var submitted = await EntriesAsync($"action={AuditActions.BatchSubmit}&actor=bootstrap-admin");
        submitted.ShouldContain(entry => entry.Target == $"batch:{cancelled.Id}");
        var submit = submitted.Single(entry => entry.Target == $"batch:{failing.Id}");
        submit.Details!.Value.GetProperty("workerType").GetString().ShouldBe("bench");
        submit.Details.Value.GetProperty("items").GetInt32().ShouldBe(2);

        (await EntriesAsync($"action={AuditActions.BatchCancel}")).ShouldContain(entry => entry.Target == $"batch:{cancelled.Id}" && entry.Actor == "bootstrap-admin");
        var rerunEntry = (await EntriesAsync($"action={AuditActions.BatchRerun}")).Single(entry => entry.Target == $"batch:{failing.Id}");
        rerunEntry.Details!.Value.GetProperty("scope").GetString().ShouldBe("failed");
        rerunEntry.Details.Value.GetProperty("chunksRequeued").GetInt32().ShouldBe(1);
    }

    [Fact]
    public async Task RefusedActions_LeaveNoAuditEntry()
    {
        var batch = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(2, new { }) });
        await Api.WaitFinalAsync(batch.Id);
        var before = await engine.Db.ScalarAsync("select count(*) from app.audit_log");

        // 409: the batch is final, so cancel changes nothing and its audit entry is rolled back with it.
        using (var cancel = await Api.PostAsync(new Uri($"/api/batches/{batch.Id}/cancel", UriKind.Relative), null))
        {
            cancel.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }
        // 409: nothing failed, so there is nothing to rerun.
        using (var rerun = await Api.PostAsJsonAsync($"/api/batches/{batch.Id}/rerun", new { scope = "failed" }))
        {
            rerun.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }
        // 400: bad input writes nothing at all.
        using (var bad = await Api.PostAsJsonAsync("/api/batches", new { workerType = "no-such-type", items = BatchApi.Items(1, new { }) }))
        {
            bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }
        // An idempotent repeat creates nothing, so it records nothing either.
        (await engine.Db.ScalarAsync("select count(*) from app.audit_log")).ShouldBe(before);

        // An idempotent repeat creates nothing, so it records nothing either.
        var key = $"audit-{Guid.NewGuid():N}";
        var first = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }) }, key);
        var repeat = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }) }, key);
        repeat.Id.ShouldBe(first.Id);
        (await engine.Db.ScalarAsync("select count(*) from app.audit_log where target = @t", ("t", $"batch:{first.Id}"))).ShouldBe(1);
    }

    [Fact]
    public async Task RecordInATransaction_ExistsOnlyIfTheTransactionCommits()
    {
        var log = engine.App.Service<AuditLog>();
        var dataSource = engine.App.Service<Npgsql.NpgsqlDataSource>();
        var target = $"thing:{Guid.NewGuid():N}";
        await using (var rolledBack = await HangfireApp.Batches.Storage.AppTransaction.BeginAsync(dataSource, CancellationToken.None))
        {
            await log.RecordAsync(rolledBack, "tester", "test.rollback", target, null, CancellationToken.None);
        }
        await using (var committed = await HangfireApp.Batches.Storage.AppTransaction.BeginAsync(dataSource, CancellationToken.None))
        {
            await log.RecordAsync(committed, "tester", "test.commit", target, null, CancellationToken.None);
            committed.Complete();
        }
        (await engine.Db.ScalarAsync("select count(*) from app.audit_log where target = @t and action = 'test.rollback'", ("t", target))).ShouldBe(0);
        (await engine.Db.ScalarAsync("select count(*) from app.audit_log where target = @t and action = 'test.commit'", ("t", target))).ShouldBe(1);
    }

    [Fact]
    public async Task AuditApi_IsForAdminsOnly_AndValidatesItsQuery()
    {
        using var viewer = engine.App.ApiClient(EngineFixture.ViewerKey);
        (await viewer.GetAsync(new Uri("/api/audit", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var anonymous = engine.App.ApiClient(apiKey: null);
        (await anonymous.GetAsync(new Uri("/api/audit", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        using var bad = await Api.GetAsync(new Uri("/api/audit?page=0", UriKind.Relative));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        bad.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        (await bad.Content.ReadAsStringAsync()).ShouldContain("\"page\"");
    }

    [Fact]
    public async Task AuditApi_ListsNewestFirst_AndPages()
    {
        var log = engine.App.Service<AuditLog>();
        var actor = $"pager-{Guid.NewGuid():N}";
        for (var i = 0; i < 53; i++)
        {
            await log.RecordAsync(actor, "test.paging", $"thing:{i}", new { i }, CancellationToken.None);
        }
        var first = await PageAsync($"actor={actor}");
        first.Total.ShouldBe(53);
        first.Items.Count.ShouldBe(50);
        first.Items[0].Target.ShouldBe("thing:52");
        first.Items.Select(entry => entry.Id).ShouldBeInOrder(SortDirection.Descending);
        var second = await PageAsync($"actor={actor}&page=2");
        second.Items.Select(entry => entry.Target).ShouldBe(["thing:2", "thing:1", "thing:0"]);
        (await PageAsync($"actor={actor}&page=3")).Items.ShouldBeEmpty();
        (await PageAsync($"actor={actor}&page=3")).Total.ShouldBe(53);
    }

    private async Task<Page<AuditEntry>> PageAsync(string query) =>
        (await Api.GetFromJsonAsync<Page<AuditEntry>>($"/api/audit?{query}", BatchApi.Json))!;

    [Fact]
    public async Task OtherOperatorCalls_AreAuditedWhenTheySucceed_AndNotWhenRefused()
    {
        var id = $"audit-{Guid.NewGuid():N}"[..20];
        using (var save = await Api.PostAsJsonAsync("/api/schedules", new { id, cron = "0 3 * * *", workerType = "bench", items = new[] { new { } } }))
        {
            save.StatusCode.ShouldBe(HttpStatusCode.Created, await save.Content.ReadAsStringAsync());
        }
        using (var refused = await Api.PostAsJsonAsync("/api/schedules", new { id, cron = "not a cron", workerType = "bench", items = new[] { new { } } }))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        }
        using (var delete = await Api.DeleteAsync(new Uri($"/api/schedules/{id}", UriKind.Relative)))
        {
            delete.StatusCode.ShouldBe(HttpStatusCode.NoContent);
        }
        using (var register = await Api.PostAsJsonAsync("/api/packages", new[] { new { ecosystem = "npm", name = "left-pad", version = "1.0.0" } }))
        {
            register.StatusCode.ShouldBe(HttpStatusCode.OK, await register.Content.ReadAsStringAsync());
        }

        (await EntriesAsync($"action={AuditActions.ScheduleSave}")).Count(entry => entry.Target == $"schedule:{id}").ShouldBe(1);
        (await EntriesAsync($"action={AuditActions.ScheduleDelete}")).ShouldContain(entry => entry.Target == $"schedule:{id}" && entry.Actor == "bootstrap-admin");
        (await EntriesAsync($"action={HangfireApp.Workers.Packages.PackagesAuditActions.Register}")).ShouldNotBeEmpty();
    }

    private async Task<IReadOnlyList<AuditEntry>> EntriesAsync(string query) => (await PageAsync(query)).Items;
}
