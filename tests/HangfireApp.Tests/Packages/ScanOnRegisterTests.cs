using System.Net.Http.Json;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Packages;

/// <summary>A packages host as shipped: registering packages (or rerunning failed ones) starts their scan at once;
/// the cron sweep is a year away, so only the trigger can have scanned them.</summary>
public sealed class ScanOnRegisterFixture : HostFixture
{
    protected override Dictionary<string, string?> HostSettings()
    {
        var settings = PackagesFixture.Settings();
        settings["WorkerTypes:packages:ScanOnRegister"] = "true";
        return settings;
    }
}

[CollectionDefinition(Name)]
public sealed class ScanOnRegisterTestGroup : ICollectionFixture<ScanOnRegisterFixture>
{
    public const string Name = "packages-scan-on-register";
}

[Collection(ScanOnRegisterTestGroup.Name)]
public sealed class ScanOnRegisterTests(ScanOnRegisterFixture fixture)
{
    [Fact]
    public async Task Register_ScansAtOnce_FirstOneChunkThenTheRestInOneBatch_AndRerunFailedToo()
    {
        using (var import = new StringContent(PackagesFixture.AllAdvisories(), System.Text.Encoding.UTF8, "application/json"))
        using (var imported = await fixture.Api.PostAsync(new Uri("/api/advisories/import", UriKind.Relative), import))
        {
            ((int)imported.StatusCode).ShouldBe(200);
        }
        // 10 packages, chunk size 4: the sweep the registration starts takes them all, first one chunk (scanning starts
        // at once), then the other 6 in one batch of two chunks (twice the first round).
        var packages = Enumerable.Range(0, 9).Select(i => new { ecosystem = "npm", name = "lodash", version = $"4.17.{i + 10}" })
            .Append(new { ecosystem = "PyPI", name = "Jinja2", version = "2.10" }).ToArray();
        using (var registered = await fixture.Api.PostAsJsonAsync("/api/packages", packages))
        {
            ((int)registered.StatusCode).ShouldBe(200);
        }

        await Eventually.Until(() => fixture.Db.ScalarAsync("select count(*) from app.packages where status = 'scanned'"),
            scanned => scanned == 10, TimeSpan.FromSeconds(30), "the registered packages to be scanned without the cron sweep");
        (await fixture.Db.TextAsync("""
            select string_agg(format('%s items in %s chunks', b.total_items, (select count(*) from app.chunks c where c.batch_id = b.id)), ', ' order by b.id)
            from app.batches b where b.worker_type = 'packages'
            """)).ShouldBe("4 items in 1 chunks, 6 items in 2 chunks");
        (await fixture.Db.ScalarAsync("select count(distinct last_batch_id) from app.packages")).ShouldBe(2);
        // lodash 4.17.10 and 4.17.11 are below both fixes (4.17.12, 4.17.19); 4.17.12 .. 4.17.18 only below the second.
        (await fixture.Db.ScalarAsync("select count(*) from app.findings")).ShouldBe(2 * 2 + 7 + 1);

        // A failed package put back to pending is scanned again at once, too.
        await using (var fail = fixture.Db.CreateCommand("update app.packages set status = 'failed', last_error = 'test' where version = '4.17.10'"))
        {
            await fail.ExecuteNonQueryAsync();
        }
        using (var rerun = await fixture.Api.PostAsJsonAsync("/api/packages/rerun-failed", new { }))
        {
            ((int)rerun.StatusCode).ShouldBe(200);
        }
        await Eventually.Until(() => fixture.Db.ScalarAsync("select count(*) from app.packages where status = 'scanned'"),
            scanned => scanned == 10, TimeSpan.FromSeconds(30), "the rerun package to be scanned again");
    }
}
