using System.Net;
using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Telemetry;

/// <summary>
/// Opens a match's telemetry URL as a stream, read as the parser goes (never buffered whole). The named client
/// <see cref="HttpClientName"/> is where the engine's outbound policy applies (addresses checked at connect time
/// and on every redirect). No automatic decompression: the parser sniffs gzip itself, whether the server sends the
/// file as stored or with a gzip content encoding.
/// </summary>
public sealed class TelemetryDownloader(IHttpClientFactory clients, IOptions<TelemetryOptions> options)
{
    public const string HttpClientName = "telemetry";

    /// <summary>
    /// Starts the download. A 4xx answer other than 408/429 fails the match for good (retrying cannot make the file
    /// appear); other failures (5xx, 408, 429, network, timeout) are left to the item's retries.
    /// </summary>
    public async Task<Stream> OpenAsync(string url, CancellationToken cancellationToken)
    {
        var client = clients.CreateClient(HttpClientName);
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("application/gzip");
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        }
        catch (Exception e) when (OutboundRefusedException.Find(e) is { } refused)
        {
            // A private address or a redirect into one is refused on every try: fail the match for good.
            throw new NonRetryableItemException(refused.Message, e);
        }
        try
        {
            var status = (int)response.StatusCode;
            if (status is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests))
            {
                throw new NonRetryableItemException($"GET {url} answered {status} {response.ReasonPhrase}.");
            }
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"GET {url} answered {status} {response.ReasonPhrase}.", null, response.StatusCode);
            }
            var max = options.Value.MaxFileBytes;
            if (response.Content.Headers.ContentLength > max)
            {
                throw new NonRetryableItemException($"GET {url}: the telemetry is {response.Content.Headers.ContentLength} bytes, more than {max}.");
            }
            var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new LimitedStream(body, response, max, url);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Fails the download once more than the allowed bytes arrived (a missing or lying Content-Length).</summary>
    private sealed class LimitedStream(Stream inner, HttpResponseMessage response, long max, string url) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
                response.Dispose();
            }
            base.Dispose(disposing);
        }

        private int Count(int read)
        {
            _read += read;
            if (_read > max)
            {
                throw new NonRetryableItemException($"GET {url}: the telemetry is larger than {max} bytes.");
            }
            return read;
        }
    }
}
