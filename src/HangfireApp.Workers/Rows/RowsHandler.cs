using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HangfireApp.Batches.JobOutput;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.WorkerTypes;
using HangfireApp.Batches.RateLimits;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Rows;

/// <summary>The <c>rows</c> worker type's name.</summary>
public static class RowsWorkerType
{
    public const string Name = "rows";
}

/// <summary>An item of a <c>rows</c> batch: one CSV row, its line in the upload and its values in header order.</summary>
public sealed record RowItem(int Line, IReadOnlyList<string> Values);

/// <summary>What a row's call stores as the item's result: the HTTP status and the added columns.</summary>
public sealed record RowResult(int Status, IReadOnlyDictionary<string, string> Columns);

/// <summary>
/// Enriches one row: renders the URL, waits for a place under the batch's in-flight limit, calls through the engine's
/// outbound policy (<see cref="OutboundHttpSetup"/>: address check at connect and on every redirect, retries) with the
/// batch's rate limit (shared by all hosts through PostgreSQL) before every try, and turns the response into added
/// columns. 429 (after its Retry-After, which pauses the whole batch), 5xx, 408 and network errors are tried again
/// inside the item up to <c>MaxAttempts</c>, then fail the item so that its chunk retries it; other 4xx, oversized
/// responses, refused addresses and redirect loops fail the row for good (<see cref="NonRetryableItemException"/>):
/// its error is kept and no retry repeats it. One instance per chunk:
/// it counts that chunk's rows for the console's progress lines.
/// </summary>
public sealed partial class RowsHandler(
    RowsBatches batches,
    IHttpClientFactory httpClients,
    SharedRateLimiter rateLimiter,
    IOptions<RowsOptions> options,
    ILogger<RowsHandler> logger) : ItemHandler<RowItem, RowResult>
{
    public const string HttpClientName = "rows";

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _done;
    private int _failed;

    public static string RateLimitKey(long batchId) => $"rows:{batchId}";

    protected override async ValueTask<RowResult> HandleAsync(RowItem payload, WorkItem item, CancellationToken cancellationToken)
    {
        var batch = await batches.GetAsync(item.BatchId, cancellationToken);
        var failed = true;
        try
        {
            var result = await CallAsync(batch, payload, item, cancellationToken);
            failed = false;
            return result;
        }
        finally
        {
            if (!cancellationToken.IsCancellationRequested || !failed)
            {
                ReportProgress(item, batch.Call.ProgressEvery ?? options.Value.ProgressEvery, failed);
            }
        }
    }

    private async Task<RowResult> CallAsync(RowsBatch batch, RowItem row, WorkItem item, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var call = batch.Call;
        if (row.Values.Count != batch.Stored.Columns.Count)
        {
            throw new NonRetryableItemException($"Line {row.Line} has {row.Values.Count} values for {batch.Stored.Columns.Count} columns.");
        }
        var values = new Dictionary<string, string>(row.Values.Count, StringComparer.Ordinal);
        for (var i = 0; i < row.Values.Count; i++)
        {
            values[batch.Stored.Columns[i]] = row.Values[i];
        }
        Uri uri;
        string? body;
        try
        {
            (uri, body) = BuildRequest(batch, values);
        }
        catch (UrlTemplateException e)
        {
            throw new NonRetryableItemException(e.Message, e); // the same row gives the same URL on every try
        }
        var http = httpClients.CreateClient(HttpClientName);
        var timeout = TimeSpan.FromSeconds(call.TimeoutSeconds ?? settings.DefaultTimeout.TotalSeconds);
        var rateLimitKey = RateLimitKey(item.BatchId);
        // The in-flight limit covers the whole call: its retries (and their back-off) included.
        await batch.Gate.WaitAsync(cancellationToken);
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(timeout);
            using var request = new HttpRequestMessage(new HttpMethod(call.Method!), uri);
            foreach (var (name, value, _) in batch.Headers)
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            // Secret headers go only to the call's own origin when the outbound policy follows a redirect.
            request.Options.Set(OutboundRequest.SensitiveHeaders, batch.Headers.Where(h => h.Secret).Select(h => h.Name).ToArray());
            request.Options.Set(OutboundRequest.BeforeAttempt, async token =>
            {
                // Every try waits for a 429's pause of the batch and, with a rate limit, for its token (shared by all hosts).
                await batch.WaitIfPausedAsync(token);
                if (call.RequestsPerSecond is { } rate)
                {
                    await rateLimiter.AcquireAsync(rateLimitKey, rate, call.Burst ?? 1, token);
                }
            });
            request.Options.Set(OutboundRequest.OnRetryAfter, async (wait, token) =>
            {
                // Every row of the batch waits, in this process and (with a rate limit) on every host.
                batch.PauseFor(wait);
                if (call.RequestsPerSecond is not null)
                {
                    await rateLimiter.BlockUntilAsync(rateLimitKey, wait, token);
                }
                LogThrottled(logger, item.BatchId, wait.TotalSeconds);
            });
            var started = Stopwatch.GetTimestamp();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"No complete answer from {uri.Host} within {timeout.TotalSeconds:0.###} s.");
            }
            catch (Exception e) when (OutboundRefusedException.Find(e) is { } refused)
            {
                // The outbound policy refuses the same URL on every try: a private address, credentials, a redirect loop.
                throw new NonRetryableItemException(refused.Message, e);
            }
            catch (HttpRequestException e)
            {
                throw new RetryLaterException($"Still failing after {settings.MaxAttempts} attempts: {e.HttpRequestError}: {e.Message}", e);
            }
            using (response)
            {
                var status = (int)response.StatusCode;
                var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                LogCall(logger, item.BatchId, item.ItemNo, call.Method!, uri.Host, status, elapsedMs);
                try
                {
                    if (response.IsSuccessStatusCode)
                    {
                        var (text, isJson) = await ReadBodyAsync(response, settings.MaxResponseBytes, deadline.Token);
                        try
                        {
                            return new RowResult(status, ResponseColumns.Extract(text, isJson, call.Columns, batch.Stored.Columns, settings.MaxAddedColumns));
                        }
                        catch (FormatException e)
                        {
                            throw new NonRetryableItemException(e.Message, e);
                        }
                    }
                    var problem = $"{status} {response.ReasonPhrase} from {uri.Host}";
                    if (response.StatusCode == HttpStatusCode.TooManyRequests
                        && OutboundHttpSetup.RetryAfter(response) is { } wait && wait > settings.MaxRetryAfter)
                    {
                        throw new RetryLaterException($"{problem} asks to wait {wait.TotalSeconds:0} s, more than {settings.MaxRetryAfter.TotalSeconds:0} s: the row is retried with its chunk.");
                    }
                    if (status >= 500 || response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout)
                    {
                        throw new RetryLaterException($"Still failing after {settings.MaxAttempts} attempts: {problem}");
                    }
                    throw new NonRetryableItemException($"{problem}: {await ExcerptAsync(response, deadline.Token)}");
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No complete answer from {uri.Host} within {timeout.TotalSeconds:0.###} s.");
                }
            }
        }
        finally
        {
            batch.Gate.Release();
        }
    }

    private static (Uri Uri, string? Body) BuildRequest(RowsBatch batch, Dictionary<string, string> values)
    {
        var uri = batch.Template.Render(values);
        var send = batch.Call.Send ?? [];
        if (send.Count == 0)
        {
            return (uri, null);
        }
        if (batch.Call.HasBody)
        {
            var body = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var column in send)
            {
                body[column] = values[column];
            }
            return (uri, JsonSerializer.Serialize(body));
        }
        var query = new StringBuilder(uri.Query.Length > 1 ? uri.Query[1..] : "");
        foreach (var column in send)
        {
            query.Append(query.Length > 0 ? "&" : "").Append(Uri.EscapeDataString(column)).Append('=').Append(Uri.EscapeDataString(values[column]));
        }
        return (new UriBuilder(uri) { Query = query.ToString() }.Uri, null);
    }

    private static async Task<(string Text, bool IsJson)> ReadBodyAsync(HttpResponseMessage response, int maxBytes, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            throw new NonRetryableItemException($"The response has {response.Content.Headers.ContentLength} bytes, more than the limit of {maxBytes}.");
        }
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        using var content = new MemoryStream((int)Math.Min(response.Content.Headers.ContentLength ?? 4096, maxBytes));
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024); // thousands of rows per second: no fresh buffer per row
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                if (content.Length + read > maxBytes)
                {
                    throw new NonRetryableItemException($"The response is larger than the limit of {maxBytes} bytes.");
                }
                content.Write(buffer, 0, read);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        var text = Decode(response.Content.Headers.ContentType, content.GetBuffer().AsSpan(0, (int)content.Length));
        var isJson = mediaType is null
            ? text.TrimStart() is ['{' or '[', ..]
            : mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        return (text, isJson);
    }

    private static string Decode(MediaTypeHeaderValue? contentType, ReadOnlySpan<byte> bytes)
    {
        var encoding = Encoding.UTF8;
        if (contentType?.CharSet is { Length: > 0 } charset)
        {
            try
            {
                encoding = Encoding.GetEncoding(charset.Trim('"'));
            }
            catch (ArgumentException)
            {
                // Unknown charset: UTF-8 is the best guess for an API.
            }
        }
        return encoding.GetString(bytes).TrimStart('\uFEFF');
    }

    private static async Task<string> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var buffer = new byte[300];
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        var length = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken);
        var text = Encoding.UTF8.GetString(buffer, 0, length).ReplaceLineEndings(" ").Trim();
        return text.Length == 0 ? "(no body)" : length == buffer.Length ? text + "…" : text;
    }

    private void ReportProgress(WorkItem item, int every, bool failed)
    {
        if (failed)
        {
            Interlocked.Increment(ref _failed);
        }
        var done = Interlocked.Increment(ref _done);
        if (done % every == 0)
        {
            var seconds = _clock.Elapsed.TotalSeconds;
            item.Chunk.Console.WriteLine(
                $"{done} rows called in {seconds:0.0} s ({done / Math.Max(seconds, 0.001):0} rows/s), {Volatile.Read(ref _failed)} failed so far",
                Volatile.Read(ref _failed) > 0 ? ConsoleTextColor.Yellow : ConsoleTextColor.Gray);
        }
    }

    // The URL may carry row values (personal data), so only its host is logged; header values never are.
    [LoggerMessage(EventId = WorkerLogEventIds.RowsHandlerCall, Level = LogLevel.Debug, Message = "Batch {BatchId} row {ItemNo}: {Method} {Host} answered {Status} in {ElapsedMs} ms")]
    private static partial void LogCall(ILogger logger, long batchId, int itemNo, string method, string host, int status, double elapsedMs);

    [LoggerMessage(EventId = WorkerLogEventIds.RowsHandlerThrottled, Level = LogLevel.Warning, Message = "Batch {BatchId}: the API answered 429, its rows pause for {Seconds} s")]
    private static partial void LogThrottled(ILogger logger, long batchId, double seconds);
}

/// <summary>A row whose call failed in a way a later retry may fix (429, 5xx, network): its chunk retries it.</summary>
public sealed class RetryLaterException : Exception
{
    public RetryLaterException()
    {
    }

    public RetryLaterException(string message)
        : base(message)
    {
    }

    public RetryLaterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
