using System.Collections.Concurrent;
using HangfireApp.Workers.Documents.Native;

namespace HangfireApp.Workers.Documents.Ocr;

/// <summary>One page to recognise.</summary>
/// <param name="Image">The normalised page image (any format Leptonica decodes).</param>
/// <param name="Languages">Tesseract's language string, e.g. <c>eng</c> or <c>eng+deu</c>.</param>
/// <param name="PageNumber">1-based, for the hOCR and TSV page ids.</param>
/// <param name="Deadline">Tesseract's monitor deadline for the page.</param>
/// <param name="SearchablePdf">Also render the page as a one-page searchable PDF.</param>
/// <param name="Progress">Gets 0..100 as Tesseract proceeds.</param>
public sealed record OcrRequest(byte[] Image, string Languages, int PageNumber, TimeSpan Deadline, bool SearchablePdf, Action<int>? Progress);

/// <summary>
/// The OCR threads of this process: a fixed set of dedicated threads, each owning its Tesseract engines (one per
/// language set, created on first use and reused for every later page), fed from one queue. Dedicated threads rather
/// than the thread pool because (1) an engine must stay on one thread at a time and is expensive to create, so "one
/// engine per worker thread" is literal here; (2) Tesseract's page layout recurses deeply on dense pages, which the
/// 1.5 MB stacks of pool threads do not allow for — these get 16 MB; (3) CPU-bound native calls would starve the
/// pool that the chunk runner's flushes and heartbeats need. The thread count bounds the process's OCR concurrency
/// whatever the Hangfire worker count: one per core is the fastest (each engine single-threaded, OMP_THREAD_LIMIT=1).
/// </summary>
public sealed class OcrThreads : IDisposable
{
    private const int StackBytes = 16 * 1024 * 1024;
    private readonly BlockingCollection<Work> _queue = [];
    private readonly Thread[] _threads;
    private readonly string _dataPath;
    private int _enginesCreated;

    public OcrThreads(string dataPath, int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _dataPath = dataPath;
        NativeEnvironment.PrepareForTesseract();
        _threads = [.. Enumerable.Range(0, threads).Select(index =>
        {
            var thread = new Thread(Loop, StackBytes) { IsBackground = true, Name = $"ocr-{index}" };
            thread.Start();
            return thread;
        })];
    }

    /// <summary>Engines created so far (across threads and language sets): stays at one per thread per language set.</summary>
    public int EnginesCreated => Volatile.Read(ref _enginesCreated);

    public int ThreadCount => _threads.Length;

    /// <summary>Queues a page and completes when it is recognised; a cancel stops it through the monitor's cancel callback.</summary>
    public Task<PageOcrResult> RecognizeAsync(OcrRequest request, CancellationToken cancellationToken)
    {
        var work = new Work(request, cancellationToken);
        _queue.Add(work, CancellationToken.None);
        return work.Completion.Task;
    }

    private void Loop()
    {
        var engines = new Dictionary<string, OcrEngine>(StringComparer.Ordinal);
        try
        {
            foreach (var work in _queue.GetConsumingEnumerable())
            {
                if (work.Token.IsCancellationRequested)
                {
                    work.Completion.TrySetCanceled(work.Token);
                    continue;
                }
                try
                {
                    if (!engines.TryGetValue(work.Request.Languages, out var engine))
                    {
                        engine = OcrEngine.Create(_dataPath, work.Request.Languages);
                        engines[work.Request.Languages] = engine;
                        Interlocked.Increment(ref _enginesCreated);
                    }
                    using var pix = Pix.Read(work.Request.Image);
                    work.Completion.TrySetResult(engine.Recognize(pix, work.Request.PageNumber, work.Request.Deadline, work.Request.SearchablePdf,
                        work.Request.Progress, work.Token));
                }
                catch (OperationCanceledException) when (work.Token.IsCancellationRequested)
                {
                    work.Completion.TrySetCanceled(work.Token);
                }
                catch (Exception e)
                {
                    work.Completion.TrySetException(e);
                }
            }
        }
        finally
        {
            foreach (var engine in engines.Values)
            {
                engine.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (var thread in _threads)
        {
            thread.Join(TimeSpan.FromSeconds(30));
        }
        _queue.Dispose();
    }

    private sealed record Work(OcrRequest Request, CancellationToken Token)
    {
        public TaskCompletionSource<PageOcrResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
