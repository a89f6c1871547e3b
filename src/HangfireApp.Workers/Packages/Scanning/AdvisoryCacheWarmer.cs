using System.Diagnostics;
using System.Threading.Channels;
using HangfireApp.Workers.Packages.Osv;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>
/// Compiles the advisories into this host's <see cref="AdvisoryCache"/> after an import, in the background, so the
/// scans that follow find them compiled instead of each reading and compiling the records of its own slice (what
/// a cold cache costs: about a quarter of a scan's CPU). One pass reads every advisory that is not withdrawn, up to
/// the cache's size, as the scans would (<c>affected</c>, <c>modified</c> and row version), with one streamed query.
/// Requests made while a pass runs are coalesced into one more pass. The cache rules are unchanged: an entry is used
/// only while its row's <c>modified</c> and row version are the ones it was read at, so a pass racing a newer
/// import or a rewrite can never make a scan use a stale record. Only the importing host warms; other hosts
/// compile what they scan, as before.
/// </summary>
public sealed partial class AdvisoryCacheWarmer(NpgsqlDataSource dataSource, AdvisoryCache cache, IOptions<PackagesOptions> options, ILogger<AdvisoryCacheWarmer> logger)
    : BackgroundService
{
    private readonly Channel<bool> _requests = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Raised after each pass (for tests and diagnostics) with the number of advisories it compiled.</summary>
    public event Action<int>? Warmed;

    /// <summary>Asks for a pass; returns at once. Does nothing when <see cref="PackagesOptions.WarmAdvisoryCache"/> is off.</summary>
    public void Request()
    {
        if (options.Value.WarmAdvisoryCache && options.Value.AdvisoryCacheSize > 0)
        {
            _requests.Writer.TryWrite(true);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (await _requests.Reader.WaitToReadAsync(stoppingToken))
        {
            _requests.Reader.TryRead(out _);
            try
            {
                var started = Stopwatch.StartNew();
                var compiled = await WarmAsync(stoppingToken);
                LogWarmed(logger, compiled, started.ElapsedMilliseconds);
                Warmed?.Invoke(compiled);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                // Only a head start: the scans compile what they need themselves.
                LogWarmFailed(logger, e);
            }
        }
    }

    /// <summary>One pass: compiles every current advisory (up to the cache's size) not already compiled at its current version.</summary>
    public async Task<int> WarmAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select id, modified, xmin, severity, aliases, summary, (record->'affected')::text
            from app.advisories where withdrawn is null
            limit @max
            """);
        command.Parameters.AddWithValue("max", options.Value.AdvisoryCacheSize);
        var compiled = 0;
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetString(0);
            var modified = reader.GetDateTime(1);
            var rowVersion = reader.GetFieldValue<uint>(2);
            if (cache.Get(id, modified, rowVersion) is not null)
            {
                continue;
            }
            try
            {
                cache.Set(id, AdvisoryCache.Compile(id, modified, rowVersion, reader.IsDBNull(3) ? null : reader.GetString(3),
                    reader.GetFieldValue<string[]>(4), reader.IsDBNull(5) ? null : reader.GetString(5), reader.IsDBNull(6) ? null : reader.GetString(6)));
                compiled++;
            }
            catch (OsvFormatException)
            {
                // Left out: the scans that need it read it and fail as they always did.
            }
        }
        return compiled;
    }

    [LoggerMessage(EventId = WorkerLogEventIds.AdvisoryCacheWarmed, Level = LogLevel.Information, Message = "Advisory cache warmed: {Compiled} advisories compiled in {ElapsedMs} ms")]
    private static partial void LogWarmed(ILogger logger, int compiled, long elapsedMs);

    [LoggerMessage(EventId = WorkerLogEventIds.AdvisoryCacheWarmFailed, Level = LogLevel.Warning, Message = "Warming the advisory cache failed; scans compile the advisories they need")]
    private static partial void LogWarmFailed(ILogger logger, Exception exception);
}
