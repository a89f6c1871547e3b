using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using HangfireApp.Batches.Outbound;

namespace HangfireApp.Workers.Scrape;

/// <summary>One HTTP answer as the scraper keeps it: the status, a redirect target, and the body text when it is a page.</summary>
/// <param name="Url">What was requested.</param>
/// <param name="Status">The HTTP status code.</param>
/// <param name="Location">The <c>Location</c> of a redirect, resolved against <paramref name="Url"/>.</param>
/// <param name="MediaType">The response's media type, if it had one.</param>
/// <param name="Text">The body (at most <see cref="ScrapeOptions.MaxResponseBytes"/>), decoded; null when not read (not 2xx, or not text).</param>
/// <param name="Truncated">The body was longer than the cap and was not read to its end.</param>
public sealed record FetchedResponse(Uri Url, int Status, Uri? Location, string? MediaType, string? Text, bool Truncated);

/// <summary>
/// Sends one GET (no redirects followed: the caller checks every hop against robots.txt) through the engine's outbound
/// policy (the address check at connect time, no proxy: <see cref="OutboundHttpSetup"/>), the per-host throttle, a
/// timeout and a response size cap. One instance per process: its connection pool and throttle are shared by every chunk.
/// </summary>
public sealed class PageFetcher : IDisposable
{
    /// <summary>The outbound client's name; its policy is <c>WorkerTypes:scrape:AllowPrivateNetworks</c> / <c>AllowedNetworks</c>.</summary>
    public const string HttpClientName = "scrape";

    /// <summary>Media types whose bodies are read and scanned.</summary>
    public static readonly IReadOnlySet<string> TextMediaTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "text/html", "application/xhtml+xml", "text/plain",
    };

    private readonly ScrapeOptions _options;
    private readonly HostThrottle _throttle;
    private readonly HttpClient _client;

    /// <param name="options">Timeouts, size cap, user agent.</param>
    /// <param name="throttle">The process-wide per-host throttle.</param>
    /// <param name="client">An outbound client that does not follow redirects and does not retry (<see cref="ScrapeModule"/>).</param>
    public PageFetcher(ScrapeOptions options, HostThrottle throttle, HttpClient client)
    {
        _options = options;
        _throttle = throttle;
        _client = client;
    }

    /// <summary>GETs <paramref name="url"/> once, waiting its turn for the host at least <paramref name="spacing"/> after the previous start.</summary>
    /// <exception cref="FetchException">Timeout, connection failure or a refused address.</exception>
    public async Task<FetchedResponse> GetAsync(Uri url, TimeSpan spacing, CancellationToken cancellationToken)
    {
        if (url.Scheme is not ("http" or "https"))
        {
            throw new FetchException(FetchFailure.Refused, url, $"Only http and https are fetched, not '{url.Scheme}'");
        }
        using var lease = await _throttle.EnterAsync(url.IdnHost, spacing, cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.RequestTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.UserAgent.ParseAdd(_options.UserAgent);
            request.Headers.Accept.ParseAdd("text/html, application/xhtml+xml, text/plain;q=0.9, */*;q=0.1");
            using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            Uri? location = null;
            if (status is >= 300 and < 400 && response.Headers.Location is { } target)
            {
                location = target.IsAbsoluteUri ? target : new Uri(url, target);
            }
            if (status is < 200 or >= 300 || (mediaType is not null && !TextMediaTypes.Contains(mediaType)))
            {
                return new FetchedResponse(url, status, location, mediaType, null, false);
            }
            var (bytes, truncated) = await ReadCappedAsync(response.Content, _options.MaxResponseBytes, timeout.Token);
            return new FetchedResponse(url, status, null, mediaType, Decode(bytes, response.Content.Headers.ContentType), truncated);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new FetchException(FetchFailure.Timeout, url, $"No complete answer within {_options.RequestTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (OutboundRefusedException.Find(e) is { } refusal)
        {
            throw new FetchException(FetchFailure.Refused, url, refusal.Message, e);
        }
        catch (HttpRequestException e) when (FindSocketError(e) is SocketError.HostNotFound or SocketError.NoData)
        {
            throw new FetchException(FetchFailure.UnknownHost, url, $"Unknown host '{url.IdnHost}'", e);
        }
        catch (HttpRequestException e)
        {
            throw new FetchException(FetchFailure.Connection, url, $"Connection failed: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new FetchException(FetchFailure.Connection, url, $"Connection broke: {e.Message}", e);
        }
    }

    private static SocketError? FindSocketError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode;
            }
        }
        return null;
    }

    /// <summary>Reads at most <paramref name="cap"/> bytes and stops; the connection is dropped with the response.</summary>
    private static async Task<(byte[] Bytes, bool Truncated)> ReadCappedAsync(HttpContent content, int cap, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[Math.Min(cap, (int)Math.Min(content.Headers.ContentLength ?? 64 * 1024, cap)) + 1];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > cap)
                {
                    return (buffer[..cap], true);
                }
                Array.Resize(ref buffer, Math.Min(buffer.Length * 2, cap + 1));
            }
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
            {
                return (buffer[..length], false);
            }
            length += read;
            if (length > cap)
            {
                return (buffer[..cap], true);
            }
        }
    }

    private static string Decode(byte[] bytes, MediaTypeHeaderValue? contentType)
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
                // An unknown charset: UTF-8 reads ASCII addresses correctly anyway.
            }
        }
        using var reader = new StreamReader(new MemoryStream(bytes), encoding, detectEncodingFromByteOrderMarks: true);
        return reader.ReadToEnd();
    }

    public void Dispose() => _client.Dispose();
}
