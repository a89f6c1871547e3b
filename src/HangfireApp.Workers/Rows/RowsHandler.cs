using System.Buffers;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HangfireApp.Batches.JobOutput;
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
/// Enriches one row: renders the URL, waits for the batch's rate limit (shared by all hosts through PostgreSQL)
/// and for a place under its in-flight limit, calls, and turns the response into added columns. 429 (after its
/// Retry-After), 5xx, 408 and network errors are tried again inside the item up to <c>MaxAttempts</c>, then fail
/// the item so that its chunk retries it; other 4xx, oversized responses and redirect loops fail the row for good
/// (<see cref="NonRetryableItemException"/>): its error is kept and no retry repeats it. One instance per chunk:
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
        string? lastProblem = null;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            await batch.WaitIfPausedAsync(cancellationToken);
            if (call.RequestsPerSecond is { } rate)
            {
                await rateLimiter.AcquireAsync(RateLimitKey(item.BatchId), rate, call.Burst ?? 1, cancellationToken);
            }
            TimeSpan? pause;
            await batch.Gate.WaitAsync(cancellationToken);
            try
            {
                // A 429 may have paused the batch while this row waited for its place.
                await batch.WaitIfPausedAsync(cancellationToken);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(timeout);
                var started = Stopwatch.GetTimestamp();
                try
                {
                    using var response = await SendFollowingRedirectsAsync(http, batch, call.Method!, uri, body, settings.MaxRedirects, deadline.Token);
                    var status = (int)response.StatusCode;
                    var elapsedMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    LogCall(logger, item.BatchId, item.ItemNo, call.Method!, uri.Host, status, elapsedMs);
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
                    lastProblem = $"{status} {response.ReasonPhrase} from {uri.Host}";
                    if (response.StatusCode == HttpStatusCode.TooManyRequests)
                    {
                        var wait = RetryAfter(response) ?? Backoff(settings, attempt);
                        if (wait > settings.MaxRetryAfter)
                        {
                            throw new RetryLaterException($"{lastProblem} asks to wait {wait.TotalSeconds:0} s, more than {settings.MaxRetryAfter.TotalSeconds:0} s: the row is retried with its chunk.");
                        }
                        // Every row of the batch waits, in this process and (with a rate limit) on every host.
                        batch.PauseFor(wait);
                        if (call.RequestsPerSecond is not null)
                        {
                            await rateLimiter.BlockUntilAsync(RateLimitKey(item.BatchId), wait, cancellationToken);
                        }
                        LogThrottled(logger, item.BatchId, wait.TotalSeconds);
                        pause = TimeSpan.Zero;
                    }
                    else if (status >= 500 || response.StatusCode == HttpStatusCode.RequestTimeout)
                    {
                        pause = Backoff(settings, attempt);
                    }
                    else
                    {
                        throw new NonRetryableItemException($"{lastProblem}: {await ExcerptAsync(response, deadline.Token)}");
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new TimeoutException($"No complete answer from {uri.Host} within {timeout.TotalSeconds:0.###} s.");
                }
                catch (HttpRequestException e)
                {
                    lastProblem = $"{e.HttpRequestError}: {e.Message}";
                    pause = Backoff(settings, attempt);
                }
            }
            finally
            {
                batch.Gate.Release();
            }
            if (attempt < settings.MaxAttempts && pause > TimeSpan.Zero)
            {
                await Task.Delay(pause.Value, cancellationToken);
            }
        }
        throw new RetryLaterException($"Still failing after {settings.MaxAttempts} attempts: {lastProblem}");
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

    /// <summary>
    /// Sends the request and follows redirects by hand (the client's own following is off) so that secret headers
    /// go only to the origin the call names: a redirect to another scheme, host or port gets the other headers only.
    /// 303, and 301/302 after a POST, continue as GET without a body, as browsers do; 307 and 308 repeat the request.
    /// </summary>
    private static async Task<HttpResponseMessage> SendFollowingRedirectsAsync(HttpClient http, RowsBatch batch, string method, Uri uri, string? body,
        int maxRedirects, CancellationToken cancellationToken)
    {
        var origin = uri;
        for (var redirects = 0; ; redirects++)
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), uri);
            var sameOrigin = Uri.Compare(uri, origin, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0;
            foreach (var (name, value, secret) in batch.Headers)
            {
                if (!secret || sameOrigin)
                {
                    request.Headers.TryAddWithoutValidation(name, value);
                }
            }
            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }
            var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            var status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }
            response.Dispose();
            var next = location.IsAbsoluteUri ? location : new Uri(uri, location);
            if (redirects == maxRedirects)
            {
                throw new NonRetryableItemException($"More than {maxRedirects} redirects, the last to {next}.");
            }
            if (next.Scheme is not ("http" or "https"))
            {
                throw new NonRetryableItemException($"A redirect to {next.Scheme}: is not followed (http and https only).");
            }
            if (status == 303 || (status is 301 or 302 && method == "POST"))
            {
                method = "GET";
                body = null;
            }
            uri = next;
        }
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

    private static TimeSpan? RetryAfter(HttpResponseMessage response) =>
        response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
            _ => null,
        };

    private static TimeSpan Backoff(RowsOptions settings, int attempt) =>
        settings.BackoffBase * Math.Pow(2, attempt - 1) * (0.8 + (Random.Shared.NextDouble() * 0.4));

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
