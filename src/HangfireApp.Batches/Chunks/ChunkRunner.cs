using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using HangfireApp.Batches.Errors;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.States;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.Chunks;

/// <summary>
/// One run of a chunk: claim (new epoch) → read its unfinished items in one query → run them with the
/// worker type's parallelism → write outcomes in bulk, fenced, at most every FlushInterval and at the end →
/// end the run (retry, final with fan-in, or cancelled).
/// </summary>
public sealed partial class ChunkRunner(
    ChunkStore store,
    ChunkFinisher finisher,
    WorkerTypeRegistry workerTypes,
    IServiceScopeFactory scopes,
    IJobConsoleFactory consoles,
    Control.ControlSnapshot controls,
    Metrics.EngineMetrics metrics,
    IOptions<ChunkOptions> options,
    ILogger<ChunkRunner> logger)
{
    private static readonly JsonSerializerOptions ResultJson = new(JsonSerializerDefaults.Web);

    public async Task RunAsync(long chunkId, string jobId, CancellationToken jobToken)
    {
        var claim = await store.ClaimAsync(chunkId, jobId, jobToken);
        if (claim is null)
        {
            LogNothingToClaim(logger, chunkId, jobId);
            return;
        }
        var workerType = workerTypes.Get(claim.WorkerType);
        var maxAttempts = workerType.Options.Retry.Attempts;
        if (claim.Waited is { } waited)
        {
            // A retry was queued when it failed; its delay is not time spent waiting for a worker.
            metrics.ObserveChunkWait(claim.WorkerType, claim.Attempt > 1 ? waited - workerType.Options.Retry.DelayBefore(claim.Attempt - 1) : waited);
        }
        await using var console = consoles.Open(jobId, $"Attempt {claim.Attempt}");
        console.WriteLine($"Claimed chunk {claim.ChunkId} of batch {claim.BatchId}: items {claim.FirstItem}..{claim.FirstItem + claim.ItemCount - 1}, attempt {claim.Attempt}/{maxAttempts}, epoch {claim.Epoch}");

        if (claim.CancelRequested)
        {
            console.WriteLine("Batch was cancelled: closing the chunk", ConsoleTextColor.Yellow);
            await finisher.FinishAsync(claim, ChunkEnd.Cancel, null, jobToken);
            return;
        }
        if (claim.Attempt > maxAttempts)
        {
            // Only rescues get here (a retry never exceeds the limit): the chunk keeps dying mid-run.
            console.WriteLine($"Attempt {claim.Attempt} exceeds the limit of {maxAttempts}: failing what is left", ConsoleTextColor.Red);
            await finisher.FinishAsync(claim, ChunkEnd.Final, $"Abandoned after {maxAttempts} attempts: the chunk's worker stopped (crash or timeout) each time", jobToken);
            return;
        }

        var items = await store.LoadPendingItemsAsync(claim, jobToken);
        using var run = new Run(claim, claim.Attempt >= maxAttempts, console, jobToken);
        var stopwatch = Stopwatch.StartNew();
        // Paused while running: no further item starts, items in flight are interrupted and stay pending, and the
        // chunk goes back to its queue without using up an attempt (the claim holds it until the resume).
        await using var pause = controls.WhenPaused(claim.WorkerType).Register(run.Pause);
        var flushing = FlushPeriodicallyAsync(run, items.Count);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var handler = scope.ServiceProvider.GetRequiredService(workerType.HandlerType);
            if (handler is IBulkItemHandler bulk)
            {
                await RunSlicesAsync(bulk, run, items, workerType.Options);
            }
            else
            {
                await RunItemsAsync((IItemHandler)handler, run, items, workerType.Options);
            }
        }
        await run.EndFlushingAsync(flushing);
        await FlushAsync(run, items.Count);
        if (run.StopReason is not null && !run.CancelRequested && !run.LeaseLost && !jobToken.IsCancellationRequested)
        {
            // A handler may stop its chunk because it saw the batch's cancel before the chunk's heartbeat did (the OCR stage
            // watches for it while a page is read): one more look, so the chunk closes cancelled now instead of being
            // retried after the retry delay only to find the batch cancelled then.
            run.Learn(await store.HeartbeatAsync(run.Claim, CancellationToken.None));
        }
        metrics.ObserveChunkRun(claim.WorkerType, stopwatch.Elapsed);

        if (run.LeaseLost)
        {
            console.WriteLine("Lease lost: the chunk was rescued by another worker; this run wrote nothing more", ConsoleTextColor.Red);
            LogLeaseLost(logger, claim.ChunkId, claim.Epoch);
            return;
        }
        if (jobToken.IsCancellationRequested)
        {
            // The server is stopping (process shutdown, or its replacement for a new WorkerCount): the chunk goes back
            // to queued without using up an attempt, and Hangfire requeues its job for the next server to claim.
            if (await finisher.FinishAsync(claim, ChunkEnd.Retry, null, CancellationToken.None, giveAttemptBack: true))
            {
                console.WriteLine($"Server stopping: {run.Succeeded + run.FailedFinal} item(s) done are kept, the rest wait in the queue for the next worker (no attempt used)", ConsoleTextColor.Yellow);
            }
            jobToken.ThrowIfCancellationRequested();
        }
        var left = items.Count - run.Succeeded - run.FailedFinal;
        console.WriteLine($"{run.Succeeded} succeeded, {run.FailedNow} failed, {left} left, in {stopwatch.ElapsedMilliseconds} ms",
            run.FailedNow > 0 ? ConsoleTextColor.Yellow : ConsoleTextColor.Green);
        LogChunkRun(logger, claim.ChunkId, claim.BatchId, claim.Attempt, run.Succeeded, run.FailedNow, left, stopwatch.ElapsedMilliseconds);

        if (run.CancelRequested)
        {
            await finisher.FinishAsync(claim, ChunkEnd.Cancel, null, CancellationToken.None);
        }
        else if (left > 0 && (!run.LastAttempt || run.GivesAttemptBack))
        {
            var delay = workerType.Options.Retry.DelayBefore(claim.Attempt);
            var why = run.StopReason ?? $"{left} item(s) failed";
            if (await finisher.FinishAsync(claim, ChunkEnd.Retry, null, CancellationToken.None, giveAttemptBack: run.GivesAttemptBack))
            {
                var next = run.GivesAttemptBack ? claim.Attempt : claim.Attempt + 1;
                if (run.Paused)
                {
                    // Not a retry: back to the queue at once, where the claim holds the chunk until the resume.
                    console.WriteLine($"Stopped: {why}; {left} item(s) left wait for the resume (no attempt used)", ConsoleTextColor.Yellow);
                    throw new Control.ChunkDeferredException($"{Control.ChunkGate.PausedPrefix} chunk {claim.ChunkId} stopped: {why}; {left} item(s) left", TimeSpan.FromSeconds(1));
                }
                console.WriteLine($"Retrying in {delay.TotalSeconds:0} s{(run.GivesAttemptBack ? " (this stopped run does not use up an attempt)" : "")}: {why}", ConsoleTextColor.Yellow);
                throw new ChunkRetryException($"Chunk {claim.ChunkId}: {why}; attempt {next} of {maxAttempts} in {delay.TotalSeconds:0} s", delay);
            }
        }
        else
        {
            await finisher.FinishAsync(claim, ChunkEnd.Final, run.StopReason is null ? null : $"Chunk stopped: {run.StopReason}", CancellationToken.None);
        }
    }

    private static async Task RunItemsAsync(IItemHandler handler, Run run, List<PendingItem> items, WorkerTypeOptions options)
    {
        try
        {
            await Parallel.ForEachAsync(items,
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = run.Stop.Token },
                async (item, itemToken) =>
                {
                    if (await RunItemAsync(handler, run, item, options.ItemTimeout, itemToken) is { } outcome)
                    {
                        run.Outcomes.Enqueue(outcome);
                    }
                });
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            // Stopped: cancel, lost lease, shutdown or the handler's request. Unrun items stay pending.
        }
    }

    private static async Task<ItemOutcome?> RunItemAsync(IItemHandler handler, Run run, PendingItem item, TimeSpan timeout, CancellationToken itemToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(itemToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var payload = JsonDocument.Parse(item.Payload);
            var result = await handler.HandleAsync(new WorkItem(run.Claim.BatchId, item.ItemNo, payload.RootElement, item.Attempts + 1, run), deadline.Token);
            return Resolve(result as ItemResult ?? ItemResult.Succeeded(result), timeout, itemToken, deadline.Token) is { } stated
                ? Record(run, item, stated)
                : null;
        }
        catch (OperationCanceledException) when (itemToken.IsCancellationRequested)
        {
            return null; // interrupted by the chunk stopping: not the item's fault, it stays pending
        }
        catch (Exception e)
        {
            return Record(run, item, ItemResult.Failed(e is OperationCanceledException ? Timeout(timeout) : e));
        }
    }

    /// <summary>
    /// A bulk handler's run: setup, then slices of <see cref="WorkerTypeOptions.SliceSize"/> items in input order (up to
    /// MaxDegreeOfParallelism at once), then teardown. Each item's outcome is recorded exactly as a per-item handler's.
    /// </summary>
    private async Task RunSlicesAsync(IBulkItemHandler handler, Run run, List<PendingItem> items, WorkerTypeOptions options)
    {
        try
        {
            await handler.OpenChunkAsync(run, run.Stop.Token);
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            return; // stopped before the first slice: every item stays pending
        }
        catch (Exception e)
        {
            // Without its setup the handler can run nothing: the items fail for this attempt (for good if the setup says so).
            run.Console.WriteLine($"Chunk setup failed: {e.GetType().Name}: {e.Message}", ConsoleTextColor.Red);
            foreach (var item in items)
            {
                run.Outcomes.Enqueue(Record(run, item, ItemResult.Failed(e), quiet: true));
            }
            return;
        }
        try
        {
            await Parallel.ForEachAsync(items.Chunk(options.SliceSize),
                new ParallelOptions { MaxDegreeOfParallelism = options.MaxDegreeOfParallelism, CancellationToken = run.Stop.Token },
                async (slice, sliceToken) =>
                {
                    foreach (var outcome in await RunSliceAsync(handler, run, slice, options.ItemTimeout, sliceToken))
                    {
                        run.Outcomes.Enqueue(outcome);
                    }
                });
        }
        catch (OperationCanceledException) when (run.Stop.IsCancellationRequested)
        {
            // Stopped: cancel, lost lease, shutdown or the handler's request. Unrun items stay pending.
        }
        finally
        {
            try
            {
                await handler.CloseChunkAsync(run, CancellationToken.None);
            }
            catch (Exception e)
            {
                // The items' outcomes are already recorded; a failed teardown must not undo them.
                run.Console.WriteLine($"Chunk teardown failed: {e.GetType().Name}: {e.Message}", ConsoleTextColor.Yellow);
                LogTeardownFailed(logger, e, run.Claim.ChunkId);
            }
        }
    }

    private static async Task<List<ItemOutcome>> RunSliceAsync(IBulkItemHandler handler, Run run, PendingItem[] slice, TimeSpan timeout, CancellationToken sliceToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(sliceToken);
        deadline.CancelAfter(timeout);
        var documents = new List<JsonDocument>(slice.Length);
        try
        {
            var work = new List<WorkItem>(slice.Length);
            foreach (var item in slice)
            {
                var payload = JsonDocument.Parse(item.Payload);
                documents.Add(payload);
                work.Add(new WorkItem(run.Claim.BatchId, item.ItemNo, payload.RootElement, item.Attempts + 1, run));
            }
            var results = await handler.HandleSliceAsync(work, deadline.Token);
            if (results is null || results.Count != slice.Length)
            {
                throw new InvalidOperationException($"The bulk handler returned {results?.Count ?? 0} outcome(s) for a slice of {slice.Length} item(s).");
            }
            var outcomes = new List<ItemOutcome>(slice.Length);
            for (var i = 0; i < slice.Length; i++)
            {
                if (Resolve(results[i] ?? ItemResult.Succeeded(null), timeout, sliceToken, deadline.Token) is { } result)
                {
                    outcomes.Add(Record(run, slice[i], result));
                }
            }
            return outcomes;
        }
        catch (OperationCanceledException) when (sliceToken.IsCancellationRequested)
        {
            return []; // interrupted by the chunk stopping: not the items' fault, they stay pending
        }
        catch (Exception e)
        {
            var failure = ItemResult.Failed(e is OperationCanceledException ? Timeout(timeout) : e);
            return [.. slice.Select(item => Record(run, item, failure))];
        }
        finally
        {
            foreach (var document in documents)
            {
                document.Dispose();
            }
        }
    }

    /// <summary>
    /// What an <see cref="ItemResult.Unprocessed"/> item means: nothing (it stays pending) when the chunk is stopping, a
    /// timeout when its deadline passed, else a handler error. Every other result stands.
    /// </summary>
    private static ItemResult? Resolve(ItemResult result, TimeSpan timeout, CancellationToken stopping, CancellationToken deadline) =>
        result.Kind != ItemResultKind.Unprocessed ? result
        : stopping.IsCancellationRequested ? null
        : deadline.IsCancellationRequested ? ItemResult.Failed(Timeout(timeout))
        : ItemResult.Failed(new InvalidOperationException("The handler left the item unprocessed although the chunk was not stopping and its deadline had not passed."));

    private static TimeoutException Timeout(TimeSpan timeout) => new($"Item timed out after {timeout.TotalSeconds:0.###} s");

    /// <summary>One item's outcome as the engine stores it, counted and (for failures) written to the console.</summary>
    private static ItemOutcome Record(Run run, PendingItem item, ItemResult result, bool quiet = false)
    {
        switch (result.Kind)
        {
            case ItemResultKind.Failed:
                // A handler may say that trying again cannot help (a 404, a refused address): the item fails for good now.
                var final = run.LastAttempt || !result.Retryable;
                run.CountFailed(final);
                if (!quiet)
                {
                    run.Console.WriteLine($"Item {item.ItemNo} failed (attempt {item.Attempts + 1}{(final ? ", final" : ", will be retried")}): {result.Error}",
                        final ? ConsoleTextColor.Red : ConsoleTextColor.Yellow);
                }
                return new ItemOutcome(item.ItemNo, final ? ItemStates.Failed : ItemStates.Pending, null, result.Error,
                    result.Exception is { } exception ? ErrorFingerprint.Of(exception) : ErrorFingerprint.Of("Error", result.Error!));
            case ItemResultKind.Emitted:
                run.CountSucceeded();
                return new ItemOutcome(item.ItemNo, ItemStates.Succeeded, Serialize(result.Value), null, null,
                    JsonSerializer.Serialize(result.Emitted, ResultJson));
            case ItemResultKind.Succeeded:
                run.CountSucceeded();
                return new ItemOutcome(item.ItemNo, ItemStates.Succeeded, Serialize(result.Value), null, null);
            default:
                throw new InvalidOperationException($"An {result.Kind} result must be resolved before it is recorded.");
        }
    }

    private static string? Serialize(object? result) => result switch
    {
        null => null,
        JsonElement element => element.GetRawText(),
        _ => JsonSerializer.Serialize(result, ResultJson),
    };

    private async Task FlushPeriodicallyAsync(Run run, int total)
    {
        var heartbeat = options.Value.HeartbeatInterval;
        var lastWrite = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(options.Value.FlushInterval < heartbeat ? options.Value.FlushInterval : heartbeat);
        try
        {
            while (await timer.WaitForNextTickAsync(run.Flushing.Token))
            {
                if (!run.Outcomes.IsEmpty)
                {
                    await FlushAsync(run, total);
                    lastWrite.Restart();
                }
                else if (lastWrite.Elapsed >= heartbeat)
                {
                    run.Learn(await store.HeartbeatAsync(run.Claim, CancellationToken.None));
                    lastWrite.Restart();
                }
            }
        }
        catch (OperationCanceledException) when (run.Flushing.IsCancellationRequested)
        {
        }
    }

    private async Task FlushAsync(Run run, int total)
    {
        var batch = new List<ItemOutcome>();
        while (run.Outcomes.TryDequeue(out var outcome))
        {
            batch.Add(outcome);
        }
        if (batch.Count == 0 || run.LeaseLost)
        {
            return;
        }
        var status = await store.FlushAsync(run.Claim, batch, CancellationToken.None);
        run.Learn(status);
        if (!status.Lost)
        {
            CountOutcomes(run.Claim.WorkerType, batch);
        }
        run.CountWritten(batch);
        run.Console.Progress("items").Set(total == 0 ? 100 : 100.0 * run.Written / total);
    }

    private void CountOutcomes(string workerType, List<ItemOutcome> written)
    {
        int succeeded = 0, failed = 0, retried = 0;
        foreach (var outcome in written)
        {
            _ = outcome.State switch
            {
                ItemStates.Succeeded => ++succeeded,
                ItemStates.Failed => ++failed,
                _ => ++retried, // pending: failed this attempt, retried by the chunk
            };
        }
        metrics.CountItems(workerType, Metrics.ItemOutcomes.Succeeded, succeeded);
        metrics.CountItems(workerType, Metrics.ItemOutcomes.Failed, failed);
        metrics.CountItems(workerType, Metrics.ItemOutcomes.Retried, retried);
    }

    /// <summary>The state of one chunk run, shared by the item tasks and the flush loop.</summary>
    private sealed class Run(ChunkClaim claim, bool lastAttempt, IJobConsole console, CancellationToken jobToken) : IChunkContext, IDisposable
    {
        private int _succeeded;
        private int _failedNow;
        private int _failedFinal;
        private int _written;

        public ChunkClaim Claim { get; } = claim;
        public bool LastAttempt { get; } = lastAttempt;
        public IJobConsole Console { get; } = console;
        public ConcurrentQueue<ItemOutcome> Outcomes { get; } = new();
        public CancellationTokenSource Stop { get; } = CancellationTokenSource.CreateLinkedTokenSource(jobToken);
        public CancellationTokenSource Flushing { get; } = new();
        public bool LeaseLost { get; private set; }
        public bool CancelRequested { get; private set; }
        public string? StopReason { get; private set; }
        public int Succeeded => _succeeded;
        public int FailedNow => _failedNow;
        public int FailedFinal => _failedFinal;
        public int Written => _written;

        public long ChunkId => Claim.ChunkId;
        public int Attempt => Claim.Attempt;

        /// <summary>
        /// A run its handler stopped (<see cref="IChunkContext.RequestStop"/>) that still finished at least one item for
        /// good does not use up an attempt: the items it never started are retried later, also after a last attempt,
        /// instead of failing untried. Each such run finishes an item, so a chunk cannot loop for ever.
        /// </summary>
        public bool GivesAttemptBack => StopReason is not null && !CancelRequested && !LeaseLost && (_succeeded + _failedFinal > 0 || Paused);

        /// <summary>Stopped because its worker type was paused: never costs an attempt (the claim gate keeps the chunk
        /// waiting until the resume, so this cannot loop).</summary>
        public bool Paused { get; private set; }

        public void Pause()
        {
            Paused = true;
            RequestStop($"worker type '{Claim.WorkerType}' was paused");
        }

        public void RequestStop(string reason)
        {
            StopReason ??= reason;
            Stop.Cancel();
        }

        public void CountSucceeded() => Interlocked.Increment(ref _succeeded);

        public void CountFailed(bool final)
        {
            Interlocked.Increment(ref _failedNow);
            if (final)
            {
                Interlocked.Increment(ref _failedFinal);
            }
        }

        public void CountWritten(List<ItemOutcome> batch) => Interlocked.Add(ref _written, batch.Count);

        public void Learn(LeaseStatus status)
        {
            if (status.Lost)
            {
                LeaseLost = true;
                Stop.Cancel();
            }
            else if (status.CancelRequested && !CancelRequested)
            {
                CancelRequested = true;
                Stop.Cancel();
            }
        }

        public async Task EndFlushingAsync(Task flushing)
        {
            await Flushing.CancelAsync();
            await flushing;
        }

        public void Dispose()
        {
            Stop.Dispose();
            Flushing.Dispose();
        }
    }

    [LoggerMessage(EventId = LogEventIds.ChunkRunnerNothingToClaim, Level = LogLevel.Information, Message = "Chunk {ChunkId} has nothing to claim for job {JobId}: final, or owned by a newer job")]
    private static partial void LogNothingToClaim(ILogger logger, long chunkId, string jobId);

    [LoggerMessage(EventId = LogEventIds.ChunkRunnerLeaseLost, Level = LogLevel.Warning, Message = "Chunk {ChunkId} lost its lease (epoch {Epoch}): rescued by another worker")]
    private static partial void LogLeaseLost(ILogger logger, long chunkId, int epoch);

    [LoggerMessage(EventId = LogEventIds.ChunkRunnerTeardownFailed, Level = LogLevel.Warning, Message = "Chunk {ChunkId}: the bulk handler's teardown failed")]
    private static partial void LogTeardownFailed(ILogger logger, Exception exception, long chunkId);

    [LoggerMessage(EventId = LogEventIds.ChunkRunnerChunkRun, Level = LogLevel.Information, Message = "Chunk {ChunkId} of batch {BatchId} attempt {Attempt}: {Succeeded} succeeded, {Failed} failed, {Left} left in {ElapsedMs} ms")]
    private static partial void LogChunkRun(ILogger logger, long chunkId, long batchId, int attempt, int succeeded, int failed, int left, long elapsedMs);
}
