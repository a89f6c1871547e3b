using System.Globalization;
using System.Text;
using HangfireApp.Workers.Documents.Native;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Content;

namespace HangfireApp.Workers.Documents.Preprocessing;

/// <summary>Where a page's text comes from.</summary>
public static class PageSources
{
    /// <summary>A PDF page with a text layer: taken as it is, no OCR.</summary>
    public const string TextLayer = "text_layer";

    /// <summary>A scanned page: normalised image, read by OCR.</summary>
    public const string Image = "image";
}

/// <summary>One page of a document after preprocessing.</summary>
/// <param name="PageNo">1-based.</param>
/// <param name="Source"><see cref="PageSources"/>.</param>
/// <param name="Text">The text layer's text (text pages).</param>
/// <param name="Tsv">The text layer's words in Tesseract's TSV layout (boxes at 300 dpi), confidence 100.</param>
/// <param name="Image">The normalised image (scanned pages).</param>
/// <param name="Note">Why the page has neither (a blank PDF page), for the review.</param>
public sealed record SplitPage(int PageNo, string Source, string? Text, string? Tsv, NormalizedPage? Image, string? Note);

/// <summary>A file that cannot be read as the format it claims: the file's fault, retrying cannot help.</summary>
public sealed class DocumentFormatException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Splits a document into pages. PDF with PdfPig: a page that has a text layer is taken as text (no OCR, as
/// OCRmyPDF's <c>--skip-text</c> does); a scanned page's image is extracted and normalised at its true resolution
/// (pixels over the page's size), then scaled to 300 dpi. Extraction instead of rasterising: a scanned page is one
/// image, and taking it out is lossless and cheap, while rendering it would need Ghostscript or poppler (a second PDF
/// engine and a process per page) to produce the same pixels again. A page drawn only with vector graphics has
/// neither text nor image and is reported as blank. TIFF pages are split with Leptonica; PNG and JPEG are one page.
/// </summary>
public static class DocumentSplitter
{
    /// <summary>Counts the pages, reading every one (so a corrupt file is caught at intake, not in a worker).</summary>
    public static int CountPages(string path, string format)
    {
        try
        {
            switch (format)
            {
                case DocumentFormats.Pdf:
                    using (var pdf = PdfDocument.Open(path))
                    {
                        for (var n = 1; n <= pdf.NumberOfPages; n++)
                        {
                            _ = pdf.GetPage(n).Letters.Count;
                        }
                        return pdf.NumberOfPages;
                    }
                case DocumentFormats.Tiff:
                    return TiffPages(path).Count(page => { page.Dispose(); return true; });
                case DocumentFormats.Png or DocumentFormats.Jpeg:
                    using (Pix.ReadFile(path))
                    {
                        return 1;
                    }
                default:
                    throw new DocumentFormatException($"'{format}' is not a document format.");
            }
        }
        catch (Exception e) when (e is not DocumentFormatException)
        {
            throw new DocumentFormatException($"The file cannot be read as {format.ToUpperInvariant()}: {e.Message}", e);
        }
    }

    /// <summary>The pages in order; each scanned page is decoded and normalised when the enumeration reaches it.</summary>
    public static IEnumerable<SplitPage> Split(string path, string format) => format switch
    {
        DocumentFormats.Pdf => SplitPdf(path),
        DocumentFormats.Tiff => SplitTiff(path),
        DocumentFormats.Png or DocumentFormats.Jpeg => SplitImage(path),
        _ => throw new DocumentFormatException($"'{format}' is not a document format."),
    };

    private static IEnumerable<SplitPage> SplitImage(string path)
    {
        using var pix = Read(() => Pix.ReadFile(path));
        yield return new SplitPage(1, PageSources.Image, null, null, PageNormalizer.Normalize(pix), null);
    }

    private static IEnumerable<SplitPage> SplitTiff(string path)
    {
        var pageNo = 0;
        foreach (var pix in TiffPages(path))
        {
            using (pix)
            {
                yield return new SplitPage(++pageNo, PageSources.Image, null, null, PageNormalizer.Normalize(pix), null);
            }
        }
        if (pageNo == 0)
        {
            throw new DocumentFormatException("The TIFF has no page Leptonica can read.");
        }
    }

    /// <summary>Every page of a multi-page TIFF, decoded one at a time.</summary>
    private static IEnumerable<Pix> TiffPages(string path)
    {
        nuint offset = 0;
        do
        {
            yield return Pix.ReadTiffPage(path, ref offset) ?? throw new DocumentFormatException("A TIFF page cannot be decoded.");
        }
        while (offset != 0);
    }

    private static IEnumerable<SplitPage> SplitPdf(string path)
    {
        using var pdf = Read(() => PdfDocument.Open(path));
        for (var n = 1; n <= pdf.NumberOfPages; n++)
        {
            var page = pdf.GetPage(n);
            if (page.Letters.Any(letter => !string.IsNullOrWhiteSpace(letter.Value)))
            {
                yield return new SplitPage(n, PageSources.TextLayer, TextOf(page), TsvOf(page, n), null, null);
                continue;
            }
            var image = page.GetImages().MaxBy(candidate => (double)candidate.WidthInSamples * candidate.HeightInSamples);
            if (image is null)
            {
                yield return new SplitPage(n, PageSources.TextLayer, "", null, null, "The page has neither a text layer nor an image.");
                continue;
            }
            using var pix = Read(() => DecodePdfImage(image));
            // The image's true resolution: its pixels over the width it is drawn at (points, 72 per inch).
            var drawnInches = Math.Max(image.BoundingBox.Width, 1) / 72.0;
            var dpi = (int)Math.Round(image.WidthInSamples / drawnInches);
            yield return new SplitPage(n, PageSources.Image, null, null, PageNormalizer.Normalize(pix, Math.Clamp(dpi, 50, 1200)), null);
        }
    }

    /// <summary>JPEG (DCT) streams are JPEG files as they are; PdfPig turns the other encodings into PNG.</summary>
    private static Pix DecodePdfImage(IPdfImage image)
    {
        if (image.TryGetPng(out var png))
        {
            return Pix.Read(png);
        }
        var raw = image.RawBytes;
        if (raw.Length > 2 && raw[0] == 0xFF && raw[1] == 0xD8)
        {
            return Pix.Read(raw);
        }
        throw new DocumentFormatException("The page's image uses an encoding that cannot be decoded.");
    }

    private static string TextOf(Page page)
    {
        // Words grouped into lines by their baseline, top to bottom: PdfPig's page.Text runs lines together.
        var text = new StringBuilder();
        foreach (var line in Lines(page))
        {
            text.AppendJoin(' ', line.Select(word => word.Text)).Append('\n');
        }
        return text.ToString();
    }

    private static string TsvOf(Page page, int pageNo)
    {
        var scale = 300.0 / 72.0;
        var tsv = new StringBuilder();
        var lineNo = 0;
        foreach (var line in Lines(page))
        {
            lineNo++;
            var wordNo = 0;
            foreach (var word in line)
            {
                var box = word.BoundingBox;
                tsv.Append(CultureInfo.InvariantCulture, $"5\t{pageNo}\t1\t1\t{lineNo}\t{++wordNo}\t{(int)(box.Left * scale)}\t{(int)((page.Height - box.Top) * scale)}\t")
                    .Append(CultureInfo.InvariantCulture, $"{(int)(box.Width * scale)}\t{(int)(box.Height * scale)}\t100\t{word.Text}\n");
            }
        }
        return tsv.ToString();
    }

    private static IEnumerable<List<Word>> Lines(Page page) =>
        page.GetWords()
            .GroupBy(word => Math.Round(word.BoundingBox.Bottom / 3.0)) // baselines within ~3 pt share a line
            .OrderByDescending(line => line.Key)
            .Select(line => line.OrderBy(word => word.BoundingBox.Left).ToList());

    private static T Read<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (Exception e) when (e is not DocumentFormatException)
        {
            throw new DocumentFormatException($"The file cannot be read: {e.Message}", e);
        }
    }
}
