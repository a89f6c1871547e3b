namespace HangfireApp.Workers.Documents.Native;

/// <summary>
/// Renders pages with known text as a scanner would deliver them (300 dpi, gray, optionally skewed and noisy), with
/// Leptonica's built-in bitmap font — for the tests, the benchmark and the shipped sample, so none of them needs an
/// image file from elsewhere or a font package.
/// </summary>
public static class ScanSimulator
{
    public const int Dpi = 300;
    public const int A4Width = 2480;
    public const int A4Height = 3508;

    /// <summary>Renders <paramref name="lines"/> top-down on a white A4 page at 300 dpi.</summary>
    /// <param name="lines">The text, one entry per line (ASCII: the bitmap font has no other glyphs).</param>
    /// <param name="fontSize">Leptonica font size (4..20, even); 20 is about 11 pt text at 300 dpi.</param>
    /// <param name="skewDegrees">Rotates the page by this angle, as a sheet fed askew.</param>
    /// <param name="noise">Standard deviation of Gaussian noise added to the gray values (0 = clean).</param>
    /// <param name="blur">Half-width of a box blur (0 = sharp).</param>
    /// <param name="width">Page width in pixels (A4 at 300 dpi by default).</param>
    /// <param name="height">Page height in pixels.</param>
    public static Pix Render(IReadOnlyList<string> lines, int fontSize = 20, double skewDegrees = 0, double noise = 0, int blur = 0,
        int width = A4Width, int height = A4Height)
    {
        var page = Pix.Create(width, height, 8);
        var font = Leptonica.bmfCreate(IntPtr.Zero, fontSize);
        if (font == IntPtr.Zero)
        {
            page.Dispose();
            throw new ImageException($"Leptonica has no bitmap font of size {fontSize}.");
        }
        try
        {
            var lineHeight = fontSize * 4;
            var y = 250;
            foreach (var line in lines)
            {
                if (line.Length > 0)
                {
                    Leptonica.pixSetTextline(page.Pointer, font, line, 0, 200, y, out _, out _);
                }
                y += lineHeight;
                if (y > height - 200)
                {
                    break;
                }
            }
        }
        finally
        {
            Leptonica.bmfDestroy(ref font);
        }
        var result = page;
        if (blur > 0)
        {
            result = Replace(result, Pix.Own(Leptonica.pixBlockconv(result.Pointer, blur, blur), "Blurring"));
        }
        if (skewDegrees != 0)
        {
            result = Replace(result, Pix.Own(Leptonica.pixRotate(result.Pointer, (float)(skewDegrees * Math.PI / 180), Leptonica.RotateAreaMap,
                Leptonica.BringInWhite, width, height), "Rotating"));
        }
        if (noise > 0)
        {
            result = Replace(result, Pix.Own(Leptonica.pixAddGaussianNoise(result.Pointer, (float)noise), "Adding noise"));
        }
        result.SetResolution(Dpi);
        return result;
    }

    /// <summary>A page of pure noise: nothing a reader (or Tesseract) can read.</summary>
    public static Pix Unreadable(int width = 1240, int height = 1754)
    {
        using var gray = Pix.Create(width, height, 8);
        var noisy = Pix.Own(Leptonica.pixAddGaussianNoise(gray.Pointer, 120), "Adding noise");
        noisy.SetResolution(150);
        return noisy;
    }

    private static Pix Replace(Pix old, Pix next)
    {
        old.Dispose();
        return next;
    }
}
