using HangfireApp.Workers.Documents.Native;
using HangfireApp.Workers.Documents.Preprocessing;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace HangfireApp.UnitTests.Documents;

public sealed class DocumentSplitterTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("documents-split-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Split_TakesTextLayerPagesAsText_AndExtractsScannedPdfPagesAt300Dpi()
    {
        var path = Path.Combine(_folder, "mixed.pdf");
        File.WriteAllBytes(path, MixedPdf());

        var pages = DocumentSplitter.Split(path, DocumentFormats.Pdf).ToList();

        DocumentSplitter.CountPages(path, DocumentFormats.Pdf).ShouldBe(2);
        pages.Count.ShouldBe(2);
        pages[0].Source.ShouldBe(PageSources.TextLayer);
        pages[0].Text.ShouldNotBeNull().ShouldContain("Invoice No: 2024-117");
        pages[0].Tsv.ShouldNotBeNull().ShouldContain("\tIBAN:");
        pages[1].Source.ShouldBe(PageSources.Image);
        // The 150 dpi scan drawn over A4 is found to be 150 dpi and scaled to 300.
        pages[1].Image.ShouldNotBeNull().Dpi.ShouldBe(300);
        pages[1].Image!.Width.ShouldBeInRange(2400, 2560);
    }

    [Fact]
    public void Split_SplitsEveryPageOfAMultiPageTiff()
    {
        var path = Path.Combine(_folder, "three.tif");
        for (var n = 1; n <= 3; n++)
        {
            using var page = ScanSimulator.Render([$"Page {n} of three"], width: 1240, height: 600);
            page.AppendToTiff(path, first: n == 1);
        }

        var pages = DocumentSplitter.Split(path, DocumentFormats.Tiff).ToList();

        DocumentSplitter.CountPages(path, DocumentFormats.Tiff).ShouldBe(3);
        pages.Select(page => page.PageNo).ShouldBe([1, 2, 3]);
        pages.ShouldAllBe(page => page.Source == PageSources.Image && page.Image != null);
    }

    [Theory]
    [InlineData(DocumentFormats.Pdf)]
    [InlineData(DocumentFormats.Tiff)]
    [InlineData(DocumentFormats.Png)]
    public void CountPages_RefusesACorruptFile_NamingTheFormat(string format)
    {
        var path = Path.Combine(_folder, "corrupt." + format);
        using (var page = ScanSimulator.Render(["x"], width: 400, height: 200))
        {
            var bytes = format == DocumentFormats.Pdf ? MixedPdf() : page.Encode(format == DocumentFormats.Png ? 3 : 8);
            File.WriteAllBytes(path, bytes[..(bytes.Length / 3)]);
        }

        Should.Throw<DocumentFormatException>(() => DocumentSplitter.CountPages(path, format)).Message.ShouldContain(format.ToUpperInvariant());
    }

    [Fact]
    public void Sniff_KnowsFormatsByTheirBytes_NotTheirNames()
    {
        using var page = ScanSimulator.Render(["x"], width: 200, height: 100);
        DocumentFormats.Sniff(page.Encode(3)).ShouldBe(DocumentFormats.Png);
        DocumentFormats.Sniff(page.Encode(8)).ShouldBe(DocumentFormats.Tiff);
        DocumentFormats.Sniff("%PDF-1.7\n"u8).ShouldBe(DocumentFormats.Pdf);
        DocumentFormats.Sniff("PK\u0003\u0004rest-of-zip"u8).ShouldBe(DocumentFormats.Zip);
        DocumentFormats.Sniff("hello, this is text"u8).ShouldBeNull();
    }

    /// <summary>Page 1 born digital (Helvetica text), page 2 a 150 dpi scan as an image.</summary>
    public static byte[] MixedPdf()
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var text = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var line in OcrEngineTests.Lines)
        {
            text.AddText(line, 11, new PdfPoint(60, y), font);
            y -= 16;
        }
        using var scan = ScanSimulator.Render(OcrEngineTests.Lines, fontSize: 10, width: 1240, height: 1754);
        var image = builder.AddPage(PageSize.A4);
        image.AddPng(scan.Encode(3), new PdfRectangle(0, 0, image.PageSize.Width, image.PageSize.Height));
        return builder.Build();
    }
}
