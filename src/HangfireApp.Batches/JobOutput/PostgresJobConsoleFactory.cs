using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using HangfireApp.Batches.Logging;

namespace HangfireApp.Batches.JobOutput;

/// <summary>
/// Job consoles stored in PostgreSQL. Each session buffers in memory and writes in bulk — one statement per
/// flush, every <see cref="JobConsoleOptions.FlushIntervalMs"/>, when <see cref="JobConsoleOptions.FlushEveryLines"/>
/// lines wait, and on dispose — from its own background loop, so writing a line never waits for the database.
/// (Hangfire.Console's transaction per line made a 2-minute run take 17.)
/// </summary>
public sealed partial class PostgresJobConsoleFactory : IJobConsoleFactory
{
    private readonly JobConsoleStore _store;
    private readonly IOptions<JobConsoleOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<PostgresJobConsoleFactory> _logger;

    public PostgresJobConsoleFactory(JobConsoleStore store, IOptions<JobConsoleOptions> options, TimeProvider time, ILogger<PostgresJobConsoleFactory> logger)
    {
        _store = store;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public IJobConsoleSession Open(string jobId, string sectionTitle)
    {
        if (!long.TryParse(jobId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            // Hangfire.PostgreSql's job ids are bigints; anything else cannot be one of its jobs.
            throw new ArgumentException($"Job id '{jobId}' is not a PostgreSQL Hangfire job id.", nameof(jobId));
        }
        return new Session(this, id, sectionTitle, _options.Value);
    }

    private sealed class Session : IJobConsoleSession
    {
        private readonly PostgresJobConsoleFactory _factory;
        private readonly long _jobId;
        private readonly string _title;
        private readonly DateTime _startedAt;
        private readonly ConsoleBuffer _buffer;
        private readonly int _flushEveryLines;
        private readonly SemaphoreSlim _wake = new(0, 1);
        private readonly CancellationTokenSource _ending = new();
        private readonly SemaphoreSlim _writing = new(1, 1);
        private readonly Task _loop;
        private long? _sectionId;
        private int _disposed;

        public Session(PostgresJobConsoleFactory factory, long jobId, string title, JobConsoleOptions options)
        {
            _factory = factory;
            _jobId = jobId;
            _title = ConsoleBuffer.Clean(title, 200);
            _startedAt = factory._time.GetUtcNow().UtcDateTime;
            _buffer = new ConsoleBuffer(options.MaxLinesPerJob, options.MaxLineLength);
            _flushEveryLines = options.FlushEveryLines;
            _loop = Task.Run(() => FlushPeriodicallyAsync(TimeSpan.FromMilliseconds(options.FlushIntervalMs)));
        }

        public void WriteLine(string text, ConsoleTextColor? color = null)
        {
            if (_buffer.Add(_factory._time.GetUtcNow().UtcDateTime, text, color) >= _flushEveryLines)
            {
                Wake();
            }
        }

        public IProgressBar Progress(string name) => new Bar(this, name);

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            await _ending.CancelAsync();
            await _loop;
            await FlushAsync(final: true);
            _ending.Dispose();
            _wake.Dispose();
            _writing.Dispose();
        }

        private void Wake()
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // A wake-up is already pending: the loop will take these lines too.
            }
            catch (ObjectDisposedException)
            {
                // Written after the session ended (a handler that outlived its chunk): nothing more is stored.
            }
        }

        private async Task FlushPeriodicallyAsync(TimeSpan interval)
        {
            while (!_ending.IsCancellationRequested)
            {
                try
                {
                    await _wake.WaitAsync(interval, _ending.Token);
                }
                catch (OperationCanceledException)
                {
                    return; // the final flush is the dispose's
                }
                await FlushAsync(final: false);
            }
        }

        private async Task FlushAsync(bool final)
        {
            await _writing.WaitAsync();
            try
            {
                var batch = _buffer.Drain(final, _factory._time.GetUtcNow().UtcDateTime);
                if (batch.IsEmpty && (_sectionId is not null || !final))
                {
                    return; // a section that wrote nothing still shows up once, at its end
                }
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                _sectionId = await _factory._store.WriteAsync(_jobId, _sectionId, _title, _startedAt, batch, timeout.Token);
            }
            catch (Exception e)
            {
                // The console is for people watching; it must never fail or stall the job it describes.
                LogFlushFailed(_factory._logger, e, _jobId);
            }
            finally
            {
                _writing.Release();
            }
        }

        private sealed class Bar(Session session, string name) : IProgressBar
        {
            public void Set(double percent) => session._buffer.SetProgress(name, percent);
        }
    }

    [LoggerMessage(EventId = LogEventIds.PostgresJobConsoleFactoryFlushFailed, Level = LogLevel.Warning, Message = "Console lines of job {JobId} could not be written; they are lost")]
    private static partial void LogFlushFailed(ILogger logger, Exception exception, long jobId);
}
