using System.Runtime.InteropServices;
using HangfireApp.Workers.Documents.Native;
using static HangfireApp.Workers.Documents.Native.Tesseract;

namespace HangfireApp.Workers.Documents.Ocr;

/// <summary>What Tesseract made of one page.</summary>
/// <param name="Text">The page's text (UTF-8, lines and blank lines between blocks as Tesseract writes them).</param>
/// <param name="MeanConfidence">Tesseract's mean word confidence, 0..100 (0 when it found no words).</param>
/// <param name="Tsv">Word-level TSV: level, page, block, paragraph, line, word, left, top, width, height, conf, text.</param>
/// <param name="Hocr">The page's hOCR fragment (a <c>div.ocr_page</c>).</param>
/// <param name="TimedOut">The page hit its deadline: the text is what was recognised until then.</param>
/// <param name="SearchablePdf">A one-page PDF (the page image with an invisible text layer), when asked for.</param>
public sealed record PageOcrResult(string Text, int MeanConfidence, string Tsv, string Hocr, bool TimedOut, byte[]? SearchablePdf);

/// <summary>
/// One Tesseract engine (a <c>TessBaseAPI</c> initialised for one set of languages). Creating one loads the
/// language models (tens of MB, ~0.2 s), so engines are created once and reused for many pages — by one thread at a
/// time: Tesseract engines are not thread-safe, and <c>OcrEnginePool</c> hands each one to one caller at a time.
/// A page that fails or is cancelled leaves the engine clean for the next one (its results are cleared either way).
/// </summary>
public sealed unsafe class OcrEngine : IDisposable
{
    private readonly string _dataPath;
    private IntPtr _api;

    private OcrEngine(IntPtr api, string dataPath, string languages)
    {
        _api = api;
        _dataPath = dataPath;
        Languages = languages;
    }

    public string Languages { get; }

    /// <summary>Pages this engine has recognised (to show reuse in tests and logs).</summary>
    public int PagesRecognised { get; private set; }

    /// <summary>Creates and initialises an engine; throws <see cref="OcrException"/> naming the languages if a model is missing.</summary>
    public static OcrEngine Create(string dataPath, string languages)
    {
        NativeEnvironment.PrepareForTesseract();
        var api = TessBaseAPICreate();
        if (api == IntPtr.Zero)
        {
            throw new OcrException("Tesseract could not create an engine.");
        }
        // Tesseract prints warnings (e.g. about missing resolutions) to stderr; they are not the operator's business.
        TessBaseAPISetVariable(api, "debug_file", "/dev/null");
        if (TessBaseAPIInit3(api, dataPath, languages) != 0)
        {
            TessBaseAPIDelete(api);
            throw new OcrException($"Tesseract could not load the language(s) '{languages}' from {dataPath}.");
        }
        TessBaseAPISetPageSegMode(api, PageSegAuto);
        return new OcrEngine(api, dataPath, languages);
    }

    /// <summary>The languages whose models are installed in <paramref name="dataPath"/> (osd, the orientation model, is not one).</summary>
    public static IReadOnlyList<string> AvailableLanguages(string dataPath)
    {
        // The list needs an initialised engine; any installed model will do, so ask the file system for one first.
        var any = Directory.Exists(dataPath)
            ? Directory.EnumerateFiles(dataPath, "*.traineddata").Select(Path.GetFileNameWithoutExtension).FirstOrDefault(name => name != "osd")
            : null;
        if (any is null)
        {
            return [];
        }
        using var engine = Create(dataPath, any);
        var vector = TessBaseAPIGetAvailableLanguagesAsVector(engine._api);
        var languages = new List<string>();
        try
        {
            for (var entry = (IntPtr*)vector; vector != IntPtr.Zero && *entry != IntPtr.Zero; entry++)
            {
                if (Marshal.PtrToStringUTF8(*entry) is { } name && name != "osd")
                {
                    languages.Add(name);
                }
            }
        }
        finally
        {
            TessDeleteTextArray(vector);
        }
        return [.. languages.Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Recognises one page. <paramref name="deadline"/> goes to Tesseract's monitor: past it, recognition stops and the
    /// words read so far are kept (<see cref="PageOcrResult.TimedOut"/>). <paramref name="cancellationToken"/> is polled
    /// by the monitor's cancel callback after every word, so a cancel stops the page mid-way; the method then throws
    /// <see cref="OperationCanceledException"/>. <paramref name="progress"/> gets Tesseract's 0..100 progress.
    /// </summary>
    public PageOcrResult Recognize(Pix page, int pageNumber, TimeSpan deadline, bool searchablePdf, Action<int>? progress, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_api == IntPtr.Zero, this);
        cancellationToken.ThrowIfCancellationRequested();
        var state = new MonitorState(progress, cancellationToken);
        var handle = GCHandle.Alloc(state);
        var monitor = TessMonitorCreate();
        string? pdfBase = null;
        try
        {
            TessBaseAPISetImage2(_api, page.Pointer);
            TessBaseAPISetSourceResolution(_api, page.XResolution is > 0 and var ppi ? ppi : 300);
            TessMonitorSetCancelThis(monitor, GCHandle.ToIntPtr(handle));
            TessMonitorSetCancelFunc(monitor, &OnCancel);
            TessMonitorSetProgressFunc(monitor, &OnProgress);
            TessMonitorSetDeadlineMSecs(monitor, (int)Math.Clamp(deadline.TotalMilliseconds, 1, int.MaxValue));

            var status = TessBaseAPIRecognize(_api, monitor);
            if (state.Cancelled || cancellationToken.IsCancellationRequested)
            {
                throw new OperationCanceledException("The page's recognition was cancelled.", cancellationToken);
            }
            // Recognize reports -1 when the monitor stopped it; with no cancel that is the deadline. The words
            // recognised until then stay in the engine's results and are read below like a finished page's.
            var timedOut = status != 0;
            var text = TakeText(TessBaseAPIGetUTF8Text(_api));
            var confidence = Math.Max(0, TessBaseAPIMeanTextConf(_api));
            var tsv = TakeText(TessBaseAPIGetTsvText(_api, pageNumber - 1));
            var hocr = TakeText(TessBaseAPIGetHOCRText(_api, pageNumber - 1));
            byte[]? pdf = null;
            if (searchablePdf)
            {
                pdfBase = Path.Combine(Path.GetTempPath(), $"hangfireapp-ocr-{Guid.NewGuid():N}");
                pdf = RenderPdf(pdfBase, pageNumber);
            }
            PagesRecognised++;
            progress?.Invoke(100);
            return new PageOcrResult(text, confidence, tsv, hocr, timedOut, pdf);
        }
        finally
        {
            TessMonitorDelete(monitor);
            handle.Free();
            // Drops the page's image and results: the next page starts clean whatever happened to this one.
            TessBaseAPIClear(_api);
            if (pdfBase is not null)
            {
                File.Delete(pdfBase + ".pdf");
            }
        }
    }

    /// <summary>Tesseract's PDF renderer on the page just recognised: the image with its text as an invisible layer.</summary>
    private byte[] RenderPdf(string outputBase, int pageNumber)
    {
        // The renderer needs pdf.ttf (a glyphless font for the invisible text) from the tessdata folder.
        var renderer = TessPDFRendererCreate(outputBase, _dataPath, 0);
        if (renderer == IntPtr.Zero)
        {
            throw new OcrException($"Tesseract's PDF renderer could not start (is pdf.ttf in {_dataPath}?).");
        }
        try
        {
            if (TessResultRendererBeginDocument(renderer, $"page {pageNumber}") == 0
                || TessResultRendererAddImage(renderer, _api) == 0
                || TessResultRendererEndDocument(renderer) == 0)
            {
                throw new OcrException("Tesseract's PDF renderer failed on the page.");
            }
        }
        finally
        {
            TessDeleteResultRenderer(renderer);
        }
        return File.ReadAllBytes(outputBase + ".pdf");
    }

    public void Dispose()
    {
        if (_api != IntPtr.Zero)
        {
            TessBaseAPIDelete(_api);
            _api = IntPtr.Zero;
        }
    }

    /// <summary>Called by Tesseract after each word: true stops the page.</summary>
    [UnmanagedCallersOnly]
    private static byte OnCancel(IntPtr cancelThis, int words)
    {
        try
        {
            var state = (MonitorState)GCHandle.FromIntPtr(cancelThis).Target!;
            if (state.Token.IsCancellationRequested)
            {
                state.Cancelled = true;
                return 1;
            }
            return 0;
        }
        catch
        {
            return 0; // an exception must never unwind into native code
        }
    }

    /// <summary>Called by Tesseract whenever its progress grows.</summary>
    [UnmanagedCallersOnly]
    private static byte OnProgress(IntPtr monitor, int left, int right, int top, int bottom)
    {
        try
        {
            var state = (MonitorState)GCHandle.FromIntPtr(TessMonitorGetCancelThis(monitor)).Target!;
            state.Report(TessMonitorGetProgress(monitor));
        }
        catch
        {
            // a broken progress display must not stop recognition, nor unwind into native code
        }
        return 1;
    }

    private sealed class MonitorState(Action<int>? progress, CancellationToken token)
    {
        private int _last = -1;

        public CancellationToken Token { get; } = token;

        public bool Cancelled { get; set; }

        public void Report(int percent)
        {
            // Tesseract reports often; the console bar only needs every few percent.
            if (progress is not null && percent - _last >= 5)
            {
                _last = percent;
                progress(percent);
            }
        }
    }
}

/// <summary>Tesseract could not be set up (a missing model, a renderer that would not start).</summary>
public sealed class OcrException : Exception
{
    public OcrException()
    {
    }

    public OcrException(string message)
        : base(message)
    {
    }

    public OcrException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
