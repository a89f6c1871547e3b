using System.Net;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Dashboard;

[Collection(DashboardTests.Name)]
public sealed class BatchActionsTests(DashboardFixture dashboard)
{
    private HttpClient Api => dashboard.Api;

    [Fact]
    public async Task Cancel_FromTheDashboard_EndsTheBatchCancelled()
    {
        // 200 items of 300 ms in 20 chunks: several seconds of work, most of it still queued when cancelled.
        var submitted = await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(200, new { delayMs = 300 }) });
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{submitted.Id}");
        page.Html.ShouldContain("id=\"action-cancel\"");
        page.Html.ShouldContain("data-confirm=\"Cancel batch #");

        using var response = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{submitted.Id}/cancel", page);

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var batch = await Api.WaitFinalAsync(submitted.Id, TimeSpan.FromSeconds(20));
        batch.State.ShouldBe("cancelled");
        batch.ItemCounts.Cancelled.ShouldBeGreaterThan(0);
        (await dashboard.Db.ScalarAsync("select count(*) from app.audit_log where actor = @actor and action = 'batch.cancel' and target = @target",
            ("actor", DashboardFixture.Operator), ("target", $"batch:{submitted.Id}"))).ShouldBe(1);
        using var again = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{submitted.Id}/cancel", page);
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("already cancelled");
    }

    [Fact]
    public async Task RerunFailed_FromTheDashboard_ReprocessesTheFailedItems_AndTheBatchSucceeds()
    {
        // Items 0-2 fail their first two attempts (one run) and succeed on the third: the operator's rerun.
        var items = Enumerable.Range(0, 8).Select(i => (object)(i < 3 ? new { fail = "before:3" } : new { fail = "never" })).ToArray();
        var first = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items })).Id);
        first.State.ShouldBe("completed_with_failures");
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{first.Id}");

        using var response = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{first.Id}/rerun", page, "failed");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var second = await Api.WaitFinalAsync(first.Id);
        second.State.ShouldBe("succeeded");
        second.Run.ShouldBe(2);
        (await dashboard.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and item_no < 3 and attempts = 3", ("b", first.Id))).ShouldBe(3);
        (await dashboard.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and item_no >= 3 and attempts = 1", ("b", first.Id))).ShouldBe(5);
        // Recorded in the audit log under the signed-in operator, in the rerun's own transaction.
        (await dashboard.Db.ScalarAsync("""
            select count(*) from app.audit_log
            where actor = @actor and action = 'batch.rerun' and target = @target and details->>'scope' = 'failed'
            """, ("actor", DashboardFixture.Operator), ("target", $"batch:{first.Id}"))).ShouldBe(1);
        var after = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{first.Id}");
        after.Html.ShouldContain("<td class=\"batch-run\">2</td>");
        after.Html.ShouldContain("id=\"batch-errors-empty\"");
    }

    [Fact]
    public async Task RerunAll_FromTheDashboard_ReprocessesEveryItem()
    {
        var first = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(15, new { }) })).Id);
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{first.Id}");
        page.Html.ShouldContain("id=\"action-rerun-all\"");

        using var response = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{first.Id}/rerun", page, "all");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var second = await Api.WaitFinalAsync(first.Id);
        second.Run.ShouldBe(2);
        second.State.ShouldBe("succeeded");
        (await dashboard.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and attempts = 2", ("b", first.Id))).ShouldBe(15);
    }

    [Fact]
    public async Task RerunChunk_FromTheDashboard_ReprocessesOnlyThatChunk()
    {
        var first = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(25, new { }) })).Id);
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{first.Id}");
        page.Html.ShouldContain($"data-url=\"/hangfire/batches/{first.Id}/chunks/1/rerun\"");

        using var response = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{first.Id}/chunks/1/rerun", page, "all");
        using var missing = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{first.Id}/chunks/9/rerun", page, "all");

        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        missing.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var second = await Api.WaitFinalAsync(first.Id);
        second.Run.ShouldBe(2);
        second.ItemCounts.Succeeded.ShouldBe(25);
        // Chunk 1 holds items 10-19 (chunk size 10): only they ran again.
        (await dashboard.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and attempts = 2", ("b", first.Id))).ShouldBe(10);
        (await dashboard.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and attempts = 2 and item_no between 10 and 19", ("b", first.Id))).ShouldBe(10);
    }

    [Fact]
    public async Task Rerun_WithAnUnknownScope_IsRefusedNamingTheField()
    {
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(2, new { }) })).Id);
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{batch.Id}");

        using var response = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{batch.Id}/rerun", page, "some");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await BatchesPagesTests.ProblemErrorsAsync(response)).ShouldContainKey("scope");
        (await Api.GetBatchAsync(batch.Id)).Run.ShouldBe(1);
    }

    [Fact]
    public async Task Action_WithoutTheAntiforgeryToken_IsRefused_AndChangesNothing()
    {
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(3, new { }) })).Id);
        using var browser = await dashboard.SignInAsync();
        var page = await DashboardFixture.GetPageAsync(browser, $"/hangfire/batches/{batch.Id}");
        page.CsrfToken.ShouldNotBeNull();

        // The browser holds the login and antiforgery cookies, but a forged form on another site cannot read the token.
        using var forged = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{batch.Id}/rerun", page: null, "all");
        using var wrongToken = await DashboardFixture.PostActionAsync(browser, $"/hangfire/batches/{batch.Id}/rerun",
            page with { CsrfToken = "CfDJ8forged" + page.CsrfToken[11..] }, "all");

        forged.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        wrongToken.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var after = await Api.GetBatchAsync(batch.Id);
        after.Run.ShouldBe(1);
        after.State.ShouldBe("succeeded");
    }

    [Fact]
    public async Task Viewer_SeesNoActionButtons_AndIsRefusedEvenWithAValidToken()
    {
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new
        {
            workerType = "bench", items = new object[] { new { fail = "always" }, new { } },
        })).Id);
        using var viewer = await dashboard.SignInAsync(DashboardFixture.Viewer);

        var page = await DashboardFixture.GetPageAsync(viewer, $"/hangfire/batches/{batch.Id}");
        using var rerun = await DashboardFixture.PostActionAsync(viewer, $"/hangfire/batches/{batch.Id}/rerun", page, "failed");
        using var chunk = await DashboardFixture.PostActionAsync(viewer, $"/hangfire/batches/{batch.Id}/chunks/0/rerun", page, "all");

        // The page itself is there, with a token (the viewer may use read-only routes), but without any action.
        page.CsrfToken.ShouldNotBeNull();
        page.Html.ShouldContain("data-state=\"completed_with_failures\"");
        page.Html.ShouldNotContain("id=\"batch-actions\"");
        page.Html.ShouldNotContain("action-rerun");
        rerun.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        chunk.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await Api.GetBatchAsync(batch.Id)).Run.ShouldBe(1);
    }

    [Fact]
    public async Task Anonymous_IsSentToTheLogin_AndCannotAct()
    {
        var batch = await Api.WaitFinalAsync((await Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(2, new { }) })).Id);
        using var anonymous = new Auth.LoginClient(dashboard.BaseAddress);

        using var page = await anonymous.GetAsync("/hangfire/batches");
        using var action = await DashboardFixture.PostActionAsync(anonymous, $"/hangfire/batches/{batch.Id}/rerun", null, "all");

        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/account/login");
        action.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        action.Headers.Location!.ToString().ShouldContain("/account/login");
        (await Api.GetBatchAsync(batch.Id)).Run.ShouldBe(1);
    }
}
