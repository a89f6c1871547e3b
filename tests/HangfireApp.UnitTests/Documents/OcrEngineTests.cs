using HangfireApp.TestSupport.Documents;
using HangfireApp.Workers.Documents.Native;
using HangfireApp.Workers.Documents.Ocr;
using HangfireApp.Workers.Documents.Preprocessing;

namespace HangfireApp.UnitTests.Documents;

/// <summary>Real Tesseract (Debian's libtesseract5, installed by ops/tesseract.sh) on pages rendered with known text.</summary>
public sealed class OcrEngineTests : IClassFixture<OcrEngineTests.Engine>
{
    public const string DataPath = "/usr/share/tesseract-ocr/5/tessdata";

    public static readonly string[] Lines =
    [
        "Invoice No: 2024-117",
        "Date: 12.03.2024",
        "ACME Supplies Ltd, 12 High Street, London",
        "",
        "IBAN: DE89 3704 0044 0532 0130 00",
        "Total: EUR 1,234.56",
        "Contact: billing@acme.example, +44 20 7946 0958",
        "The quick brown fox jumps over the lazy dog.",
    ];

    private readonly Engine _engine;

    public OcrEngineTests(Engine engine) => _engine = engine;

    public sealed class Engine : IDisposable
    {
        public OcrEngine Tesseract { get; } = OcrEngine.Create(DataPath, "eng");

        public void Dispose() => Tesseract.Dispose();
    }

    [Theory]
    [InlineData(0, 0, 0.02)]
    [InlineData(3.5, 0, 0.05)]
    [InlineData(-2, 30, 0.05)]
    public void Recognize_ReadsTheKnownText_OnCleanRotatedAndNoisyScans(double skew, double noise, double tolerance)
    {
        using var scan = ScanSimulator.Render(Lines, skewDegrees: skew, noise: noise);
        var page = PageNormalizer.Normalize(scan);
        using var pix = Pix.Read(page.Image);

        var result = _engine.Tesseract.Recognize(pix, 1, TimeSpan.FromSeconds(60), searchablePdf: true, null, CancellationToken.None);

        TextDistance.ErrorRate(string.Join('\n', Lines), result.Text).ShouldBeLessThan(tolerance, result.Text);
        result.MeanConfidence.ShouldBeGreaterThan(80);
        result.TimedOut.ShouldBeFalse();
        if (skew != 0)
        {
            Math.Abs(page.SkewDegrees + skew).ShouldBeLessThan(0.5, "the normaliser found and undid the skew");
        }
        // Word TSV: a header and one row per word with confidence and box.
        var words = result.Tsv.Split('\n').Where(line => line.StartsWith("5\t", StringComparison.Ordinal)).ToList();
        words.ShouldContain(line => line.EndsWith("\tDE89", StringComparison.Ordinal), string.Join(" | ", words));
        result.Hocr.ShouldContain("ocr_page");
        result.Hocr.ShouldContain("ocrx_word");
        result.SearchablePdf.ShouldNotBeNull();
        System.Text.Encoding.ASCII.GetString(result.SearchablePdf![..5]).ShouldBe("%PDF-");
    }

    [Fact]
    public void Recognize_KeepsPartialTextAndFlagsThePage_WhenTheDeadlinePasses()
    {
        using var scan = ScanSimulator.Render([.. Enumerable.Repeat(Lines, 5).SelectMany(lines => lines)]);
        using var pix = Pix.Read(PageNormalizer.Normalize(scan).Image);

        var result = _engine.Tesseract.Recognize(pix, 1, TimeSpan.FromMilliseconds(1), searchablePdf: false, null, CancellationToken.None);

        result.TimedOut.ShouldBeTrue();
        // The engine still serves the next page in full.
        var next = _engine.Tesseract.Recognize(pix, 1, TimeSpan.FromSeconds(60), searchablePdf: false, null, CancellationToken.None);
        next.TimedOut.ShouldBeFalse();
        next.Text.ShouldContain("quick brown fox");
    }

    [Fact]
    public void Recognize_StopsMidPage_WhenCancelledThroughTheMonitor()
    {
        using var scan = ScanSimulator.Render([.. Enumerable.Repeat(Lines, 5).SelectMany(lines => lines)]);
        using var pix = Pix.Read(PageNormalizer.Normalize(scan).Image);
        using var cancel = new CancellationTokenSource();
        var progress = new List<int>();

        // Cancel from the progress callback once recognition is under way: the cancel callback sees it at the next word.
        Should.Throw<OperationCanceledException>(() => _engine.Tesseract.Recognize(pix, 1, TimeSpan.FromSeconds(60), false, percent =>
        {
            progress.Add(percent);
            if (percent >= 10)
            {
                cancel.Cancel();
            }
        }, cancel.Token));

        progress.ShouldNotBeEmpty();
        progress.Max().ShouldBeLessThan(100, "the page stopped before its end");
        _engine.Tesseract.Recognize(pix, 1, TimeSpan.FromSeconds(60), false, null, CancellationToken.None).Text.ShouldContain("Invoice");
    }

    [Fact]
    public void OmpThreadLimit_IsOneInTheNativeEnvironment_OnceAnEngineExists()
    {
        _ = _engine.Tesseract.Languages;
        NativeEnvironment.GetNative("OMP_THREAD_LIMIT").ShouldBe("1");
        // What libgomp itself applies, not just what the environment says.
        NativeEnvironment.OpenMpThreadLimit().ShouldBe(1);
    }

    [Fact]
    public void AvailableLanguages_ListsTheInstalledModels_WithoutOsd()
    {
        var languages = OcrEngine.AvailableLanguages(DataPath);

        languages.ShouldContain("eng");
        languages.ShouldNotContain("osd");
    }

    [Fact]
    public void Create_NamesTheLanguage_WhenItsModelIsMissing()
    {
        Should.Throw<OcrException>(() => OcrEngine.Create(DataPath, "xxx")).Message.ShouldContain("xxx");
    }
}
