using System.Diagnostics;
using System.Globalization;
using HangfireApp.Batches.WorkerTypes;

namespace HangfireApp.Workers.Bench;

/// <summary>
/// Diagnostic worker type for benchmarks and tests of the engine itself (off unless
/// <c>WorkerTypes:bench:Enabled=true</c>). Payload: <c>{ "delayMs"?, "cpuMs"?, "fail"?: "never" | "always" | "once" |
/// "permanent" | "rate:0.1" | "before:3", "stop"?, "consoleLine"? }</c>: <c>permanent</c> fails the item for good at once
/// (not retryable); <c>before:N</c> fails every attempt before the N-th, counted over reruns too (a failure an operator's
/// rerun fixes); <c>stop</c> asks the chunk to stop (<see cref="IChunkContext.RequestStop"/>) before the item fails or
/// succeeds; <c>consoleLine</c> writes a console line per item, for the console's overhead benchmark; <c>emit: n</c> hands n
/// items <c>{"value": "&lt;itemNo&gt;.&lt;k&gt;"}</c> to the next pipeline stage instead of the result (fan-out; 0 hands on
/// nothing); <c>then</c> is the payload the next stage gets instead of the result (n copies of it with <c>emit</c>).
/// </summary>
public sealed class BenchHandler : ItemHandler<BenchPayload, object>
{
    public const string Name = "bench";

    protected override async ValueTask<object> HandleAsync(BenchPayload payload, WorkItem item, CancellationToken cancellationToken) =>
        await RunAsync(payload, item, cancellationToken);

    /// <summary>
    /// One item's work, shared with <see cref="BenchBulkHandler"/>: a <see cref="BenchResult"/>, or with <c>emit: n</c>
    /// an <see cref="ItemResult.Emit"/> for the next pipeline stage (<c>emit</c>, <c>then</c>).
    /// </summary>
    internal static async ValueTask<ItemResult> RunAsync(BenchPayload payload, WorkItem item, CancellationToken cancellationToken)
    {
        if (payload.DelayMs is > 0)
        {
            await Task.Delay(payload.DelayMs.Value, cancellationToken); // asynchronous: no thread held while waiting
        }
        if (payload.CpuMs is > 0)
        {
            var spin = Stopwatch.StartNew();
            while (spin.ElapsedMilliseconds < payload.CpuMs.Value)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
        }
        if (payload.ConsoleLine == true)
        {
            item.Chunk.Console.WriteLine($"Bench item {item.ItemNo}, attempt {item.Attempt}");
        }
        if (payload.Stop == true)
        {
            item.Chunk.RequestStop($"bench item {item.ItemNo} asked to stop");
        }
        if (payload.Fail == "permanent")
        {
            throw new BenchPermanentFailureException($"Bench item {item.ItemNo} failed for good as asked");
        }
        if (ShouldFail(payload.Fail, item))
        {
            throw new InvalidOperationException($"Bench item {item.ItemNo} failed on attempt {item.Attempt} as asked ('{payload.Fail}')");
        }
        var result = new BenchResult(item.ItemNo, item.Attempt, payload.Value);
        return (payload.Emit, payload.Then) switch
        {
            ({ } emit, { } then) => ItemResult.Emit(Enumerable.Repeat<object?>(then, emit), result),
            ({ } emit, null) => ItemResult.Emit(Enumerable.Range(0, emit).Select(k => (object?)new { value = $"{item.ItemNo}.{k}" }), result),
            (null, { } then) => ItemResult.Emit([then], result),
            _ => ItemResult.Succeeded(result),
        };
    }

    private static bool ShouldFail(string? fail, WorkItem item) => fail switch
    {
        null or "never" => false,
        "always" => true,
        "once" => item.Attempt == 1,
        _ when fail.StartsWith("before:", StringComparison.Ordinal)
            && int.TryParse(fail.AsSpan(7), NumberStyles.None, CultureInfo.InvariantCulture, out var succeedsOn) => item.Attempt < succeedsOn,
        _ when fail.StartsWith("rate:", StringComparison.Ordinal)
            && double.TryParse(fail.AsSpan(5), NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) =>
            // Deterministic per item and attempt, so a run is reproducible.
            new Random(HashCode.Combine(item.BatchId, item.ItemNo, item.Attempt)).NextDouble() < rate,
        _ => throw new ArgumentException($"Unknown fail mode '{fail}': never, always, once, permanent, rate:<0..1> or before:<attempt>."),
    };
}

public sealed record BenchPayload(int? DelayMs, int? CpuMs, string? Fail, System.Text.Json.JsonElement? Value, bool? ConsoleLine = null, bool? Stop = null, int? Emit = null, System.Text.Json.JsonElement? Then = null);

/// <summary>A failure that retrying cannot fix.</summary>
public sealed class BenchPermanentFailureException(string message) : Exception(message), IItemFailure
{
    public bool Retryable => false;
}

public sealed record BenchResult(int ItemNo, int Attempt, System.Text.Json.JsonElement? Value);
