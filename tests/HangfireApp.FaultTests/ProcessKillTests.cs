using System.Diagnostics;
using System.Net.Http.Json;
using HangfireApp.FaultTests.Infrastructure;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.FaultTests;

/// <summary>Processes killed (SIGKILL) at the worst moments: chunks are rescued and nothing is half-written.</summary>
[Collection(FaultScenarios.Name)]
public sealed class ProcessKillTests(FaultFixture fixture)
{
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(60);

    /// <summary>
    /// A worker killed after it fetched chunk jobs and before it claimed their chunks (parked there by the test hook
    /// <c>FaultInjection:ParkChunkJobs</c>): at <c>AfterFetch</c> the jobs are still Enqueued, fetched, and the dead
    /// worker holds their state locks; at <c>BeforeClaim</c> they are Processing. Either way Hangfire would hand them
    /// out again only after its invisibility timeout (5 min); the sweep rescues them within the stall timeout.
    /// </summary>
    [Theory]
    [InlineData("AfterFetch")]
    [InlineData("BeforeClaim")]
    public async Task WorkerKilledBetweenFetchAndClaim_ItsChunksAreRescued(string point)
    {
        var parker = await fixture.StartHostAsync("worker", new Dictionary<string, string>
        {
            ["FaultInjection:ParkChunkJobs"] = point,
            ["Hangfire:Servers:0:WorkerCount"] = "2",
        });
        long batch;
        Stopwatch killed;
        await using (parker)
        {
            batch = await fixture.SubmitAsync(400, 50, $"worker killed {point}");
            await Eventually.Until(() => Task.FromResult(parker.Output), output => output.Contains("parked chunk job", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "the fault-injected worker to park a chunk job");
            parker.Kill();
            killed = Stopwatch.StartNew();
            (await parker.WaitForExitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
        }

        await fixture.WaitAllFinalAsync(RecoveryBound);
        Figures.Report($"worker SIGKILL {point}", "every batch final after the kill", killed.Elapsed);
        await Invariants.CheckAsync(fixture, batch);
        // The parked chunks were rescued without ever being claimed: a new epoch, no attempt of their own.
        (await fixture.ScalarAsync("select count(*) from app.chunks where batch_id = @b and lease_epoch > attempt", ("b", batch)))
            .ShouldBeGreaterThan(0);
    }

    /// <summary>The web host killed in the middle of a 100,000-item submit: the batch exists whole or not at all.</summary>
    [Fact]
    public async Task WebHostKilledDuringLargeSubmit_LeavesNothingHalfWritten()
    {
        const string applicationName = "faults-doomed-web";
        var before = await CountsAsync();
        var doomed = await fixture.StartHostAsync("web", applicationName: applicationName);
        await using (doomed)
        {
            using var client = new HttpClient { BaseAddress = doomed.BaseAddress, Timeout = TimeSpan.FromSeconds(100) };
            client.DefaultRequestHeaders.Add("X-Api-Key", FaultFixture.AdminKey);
            var submit = client.PostAsync(new Uri("/api/batches", UriKind.Relative), JsonContent.Create(new
            {
                workerType = "bench",
                items = Enumerable.Repeat(new { delayMs = 0 }, 100_000).ToArray(),
                chunkSize = 20, // 5,000 jobs to create in the transaction: a wide window to land the kill in
                description = "killed mid-submit",
            }));
            // Mid-transaction: the submit's connection has written (it holds a transaction id) and not committed.
            await Eventually.Until(
                () => fixture.ScalarAsync("select count(*) from pg_stat_activity where application_name = @app and backend_xid is not null", ("app", applicationName)),
                writing => writing > 0, TimeSpan.FromSeconds(60), "the submit to be writing");
            doomed.Kill();
            (await doomed.WaitForExitAsync(TimeSpan.FromSeconds(10))).ShouldBeTrue();
            await Should.ThrowAsync<HttpRequestException>(submit);
        }
        // The server ends the dead client's sessions (rolling back) once it notices the closed sockets.
        await Eventually.Until(
            () => fixture.ScalarAsync("select count(*) from pg_stat_activity where application_name = @app", ("app", applicationName)),
            sessions => sessions == 0, TimeSpan.FromSeconds(30), "the killed host's sessions to end");

        (await CountsAsync()).ShouldBe(before);
        (await fixture.ScalarAsync("select count(*) from app.batches where description = 'killed mid-submit'")).ShouldBe(0);
    }

    private async Task<(double Batches, double Items, double Chunks, double ChunkJobs)> CountsAsync() => (
        await fixture.ScalarAsync("select count(*) from app.batches"),
        await fixture.ScalarAsync("select count(*) from app.items"),
        await fixture.ScalarAsync("select count(*) from app.chunks"),
        await fixture.ScalarAsync("select count(*) from hangfire.job where invocationdata::text like '%ChunkJob%'"));
}
