using Hangfire;
using Hangfire.States;
using HangfireApp.Batches.Metrics;
using HangfireApp.Batches.Storage;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Operations;

/// <summary>
/// How idle workers hear of new jobs (<c>JobQueueWakeups</c>). This collection's host polls once an hour, so every pickup
/// here comes from a notification.
/// </summary>
[Collection(OperationsTests.Name)]
public sealed class JobQueueWakeupsTests(OperationsFixture host)
{
    /// <summary>The process's listening connections (by name: keep-alive queries follow the <c>LISTEN</c>).</summary>
    private static readonly string ListenerRows =
        $"from pg_stat_activity where datname = current_database() and application_name like '%{JobQueueWakeups.ApplicationNameSuffix}'";

    [Fact]
    public async Task AnIdleHost_ListensOnOneConnection_NotOneForEachWaitingWorker()
    {
        // Hangfire.PostgreSql's queue opened a listening connection for every waiting worker (the ops server's four and
        // the maintenance server's), and every enqueue made each of them fetch.
        var listening = await Eventually.Until(() => host.Db.ScalarAsync($"select count(*) {ListenerRows}"), count => count >= 1, because: "the host to listen for new jobs");
        listening.ShouldBe(1);
        (await host.Db.ScalarAsync("select count(*) from pg_stat_activity where datname = current_database() and query ilike 'listen %' and application_name not like @name",
            ("name", $"%{JobQueueWakeups.ApplicationNameSuffix}"))).ShouldBe(0, "a worker listening on a connection of its own");
    }

    [Fact]
    public async Task ABurstOfJobs_WakesAsManyWorkersAsItHasJobs_AndFewFetchesFindNothing()
    {
        var metrics = host.App.Service<EngineMetrics>();
        var before = metrics.Fetches;
        // Four chunks of ten items, four at a time, 300 ms each: long enough that the server's four workers are seen
        // running all four at once, which only the wake-up chain can start (one notification, no poll within the hour).
        var batch = await host.Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(40, new { delayMs = 300 }) });
        var mostRunning = 0L;
        await Eventually.Until(async () =>
        {
            var running = await host.Db.ScalarAsync("select count(*) from app.chunks where batch_id = @b and state = 'running'", ("b", batch.Id));
            mostRunning = Math.Max(mostRunning, running);
            return await host.Api.GetBatchAsync(batch.Id);
        }, b => b.State == "succeeded", TimeSpan.FromSeconds(60), "the batch to finish");
        mostRunning.ShouldBe(4);

        var after = metrics.Fetches;
        var jobs = after.Job - before.Job;
        var empty = after.Empty - before.Empty;
        jobs.ShouldBeGreaterThanOrEqualTo(4, "the four chunk jobs (and any sweep or continuation meanwhile)");
        // A worker looks for its next job as it ends one, and a wake-up may find its job taken: about one empty fetch a
        // job. Every idle worker fetching on every enqueue (the library's queue) made several a job.
        empty.ShouldBeLessThanOrEqualTo(jobs + 2, $"{jobs} jobs fetched, {empty} fetches found nothing");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AJobPutBack_WakesAWaitingWorker_WithoutThePoll(bool requeuedExplicitly)
    {
        // Hangfire puts a job back when its worker stops before the job reaches its next state (a server's shutdown or
        // resize): by Requeue, or by disposing the fetched job unremoved. The library's put-back notified no one, so the job sat until an
        // idle worker's poll (an hour here). A queue no server of this host serves, so the two fetches below are alone on it.
        var storage = host.App.Service<JobStorage>();
        var queue = requeuedExplicitly ? "put_back_requeued" : "put_back_disposed";
        var jobId = new BackgroundJobClient(storage).Create(() => PutBack.Never(), new EnqueuedState(queue));
        using var first = storage.GetConnection();
        var taken = first.FetchNextJob([queue], CancellationToken.None);
        taken.JobId.ShouldBe(jobId);

        var metrics = host.App.Service<EngineMetrics>();
        var emptyBefore = metrics.Fetches.Empty;
        using var stop = new CancellationTokenSource();
        var waiting = Task.Run(() =>
        {
            using var second = storage.GetConnection();
            return second.FetchNextJob([queue], stop.Token);
        });
        try
        {
            // Its first look found nothing (the job is taken), so it now waits for a wake-up or the poll.
            await Eventually.Until(() => Task.FromResult(metrics.Fetches.Empty), empty => empty > emptyBefore, because: "the second worker to wait");
            if (requeuedExplicitly)
            {
                taken.Requeue();
            }
            taken.Dispose();

            using var again = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            again.JobId.ShouldBe(jobId);
            again.RemoveFromQueue();
        }
        finally
        {
            await stop.CancelAsync();
        }
    }

    [Fact]
    public async Task ALostListeningConnection_IsReplaced_AndJobsStillStartWithoutThePoll()
    {
        var listener = $"select coalesce(max(pid), 0) {ListenerRows}";
        var lost = await Eventually.Until(() => host.Db.ScalarAsync(listener), pid => pid > 0, because: "the host to listen for new jobs");
        (await host.Db.ScalarAsync("select count(*) from (select pg_terminate_backend(@pid::int)) t", ("pid", lost))).ShouldBe(1);

        await Eventually.Until(() => host.Db.ScalarAsync(listener), pid => pid > 0 && pid != lost, because: "the host to listen again");
        var batch = await host.Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(3, new { }) });
        (await host.Api.WaitFinalAsync(batch.Id, TimeSpan.FromSeconds(30))).State.ShouldBe("succeeded");
    }
}

/// <summary>The put-back test's job: created, fetched and put back, never performed.</summary>
public static class PutBack
{
    public static void Never()
    {
    }
}
