using System.Net;
using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.Tests.Storage;

public sealed class CrashedLockHolderStartTests
{
    /// <summary>
    /// A process killed while its recurring-job scheduler held <c>recurring-job:stalled-chunks</c> leaves the lock row.
    /// The next start registers that recurring job under the same lock: it used to wait Hangfire's 15 s for it and fail
    /// the start (seen in the OCR crash test), and every later start the same way, with no live process left to
    /// release the dead lock.
    /// </summary>
    [Fact]
    public async Task Host_Starts_WhenACrashedProcessLeftARecurringJobLock()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using (var first = new AppFactory(database))
        {
            using var started = first.ApiClient(); // starts the host: it creates Hangfire's schema and stamps the lock table
            await using var db = database.CreateDataSource();
            await Eventually.Until(
                () => db.ScalarAsync("select count(*) from information_schema.columns where table_schema = 'hangfire' and table_name = 'lock' and column_name in ('holder_pid', 'holder_since')"),
                columns => columns == 2, because: "the first host to stamp the lock table");
        }
        // The crashed scheduler's lock: written by a session that is gone, as a killed process's is.
        await using (var gone = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.ConnectionString) { Pooling = false }.ConnectionString))
        {
            await gone.OpenAsync(TestContext.Current.CancellationToken);
            await using var insert = new NpgsqlCommand("insert into hangfire.lock (resource, acquired) values ('hangfire:lock:recurring-job:stalled-chunks', now())", gone);
            await insert.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }

        await using var second = new AppFactory(database);
        using var client = second.ApiClient(apiKey: null);

        (await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
