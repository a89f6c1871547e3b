using System.Runtime.InteropServices;

namespace HangfireApp.Workers.Documents.Native;

/// <summary>
/// The few Leptonica functions the documents worker calls (liblept5, the image library Tesseract itself is built on,
/// so a page is decoded, normalised and handed to Tesseract as one <c>Pix</c> without copies or a second imaging
/// library). Signatures follow <c>leptonica/allheaders.h</c> of Debian's 1.82.
/// </summary>
internal static partial class Leptonica
{
    private const string Library = "liblept.so.5";

    public const int FormatUnknown = 0;
    public const int FormatJpeg = 2;
    public const int FormatPng = 3;
    public const int FormatTiff = 4;
    public const int FormatTiffG4 = 8;
    public const int FormatTiffZip = 10;
    public const int FormatTiffLast = 10; // IFF_TIFF .. IFF_TIFF_ZIP are the TIFF variants
    public const int FormatTiffJpeg = 17;
    public const int RotateAreaMap = 2; // L_ROTATE_AREA_MAP
    public const int BringInWhite = 1;  // L_BRING_IN_WHITE
    public const int SeverityNone = 6;  // L_SEVERITY_NONE

    public static bool IsTiff(int format) => format is >= FormatTiff and <= FormatTiffLast or FormatTiffJpeg;

    [LibraryImport(Library)]
    public static unsafe partial int findFileFormatBuffer(byte* buffer, out int format);

    [LibraryImport(Library)]
    public static unsafe partial IntPtr pixReadMem(byte* data, nuint size);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr pixRead(string fileName);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr pixReadFromMultipageTiff(string fileName, ref nuint offset);

    [LibraryImport(Library)]
    public static partial int pixWriteMem(out IntPtr data, out nuint size, IntPtr pix, int format);

    [LibraryImport(Library)]
    public static partial int pixWriteMemTiff(out IntPtr data, out nuint size, IntPtr pix, int compression);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pixWriteTiff(string fileName, IntPtr pix, int compression, string mode);

    [LibraryImport(Library)]
    public static partial void lept_free(IntPtr pointer);

    [LibraryImport(Library)]
    public static partial void pixDestroy(ref IntPtr pix);

    [LibraryImport(Library)]
    public static partial IntPtr pixCreate(int width, int height, int depth);

    [LibraryImport(Library)]
    public static partial int pixSetAll(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixGetWidth(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixGetHeight(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixGetDepth(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixGetXRes(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixGetYRes(IntPtr pix);

    [LibraryImport(Library)]
    public static partial int pixSetResolution(IntPtr pix, int xres, int yres);

    [LibraryImport(Library)]
    public static partial IntPtr pixConvertTo8(IntPtr pix, int colormapFlag);

    [LibraryImport(Library)]
    public static partial IntPtr pixScale(IntPtr pix, float scaleX, float scaleY);

    [LibraryImport(Library)]
    public static partial IntPtr pixFindSkewAndDeskew(IntPtr pix, int reduction, out float angle, out float confidence);

    [LibraryImport(Library)]
    public static partial IntPtr pixOtsuThreshOnBackgroundNorm(IntPtr pix, IntPtr mask, int sx, int sy, int threshold, int minCount,
        int backgroundValue, int smoothX, int smoothY, float scoreFraction, out int usedThreshold);

    [LibraryImport(Library)]
    public static partial IntPtr pixRotate(IntPtr pix, float angle, int type, int inColor, int width, int height);

    [LibraryImport(Library)]
    public static partial IntPtr pixAddGaussianNoise(IntPtr pix, float stdev);

    [LibraryImport(Library)]
    public static partial IntPtr pixBlockconv(IntPtr pix, int halfWidth, int halfHeight);

    [LibraryImport(Library)]
    public static partial IntPtr bmfCreate(IntPtr directory, int fontSize);

    [LibraryImport(Library)]
    public static partial void bmfDestroy(ref IntPtr bmf);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int pixSetTextline(IntPtr pix, IntPtr bmf, string text, uint value, int x, int y, out int width, out int overflow);

    [LibraryImport(Library)]
    public static partial void setMsgSeverity(int severity);
}
