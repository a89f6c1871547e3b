using System.Runtime.InteropServices;

namespace HangfireApp.Workers.Documents.Native;

/// <summary>
/// Tesseract's C API (<c>tesseract/capi.h</c> of Debian's libtesseract5) — only the calls the OCR stage makes.
/// Strings the library returns are owned by it and go back through <see cref="TessDeleteText"/>.
/// </summary>
internal static unsafe partial class Tesseract
{
    private const string Library = "libtesseract.so.5";

    public const int PageSegAuto = 3; // PSM_AUTO, the command line's default

    [LibraryImport(Library)]
    public static partial IntPtr TessVersion();

    [LibraryImport(Library)]
    public static partial IntPtr TessBaseAPICreate();

    [LibraryImport(Library)]
    public static partial void TessBaseAPIDelete(IntPtr api);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TessBaseAPIInit3(IntPtr api, string? dataPath, string language);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TessBaseAPISetVariable(IntPtr api, string name, string value);

    [LibraryImport(Library)]
    public static partial void TessBaseAPISetPageSegMode(IntPtr api, int mode);

    [LibraryImport(Library)]
    public static partial IntPtr TessBaseAPIGetAvailableLanguagesAsVector(IntPtr api);

    [LibraryImport(Library)]
    public static partial void TessDeleteTextArray(IntPtr array);

    [LibraryImport(Library)]
    public static partial void TessBaseAPISetImage2(IntPtr api, IntPtr pix);

    [LibraryImport(Library)]
    public static partial void TessBaseAPISetSourceResolution(IntPtr api, int ppi);

    [LibraryImport(Library)]
    public static partial int TessBaseAPIRecognize(IntPtr api, IntPtr monitor);

    [LibraryImport(Library)]
    public static partial IntPtr TessBaseAPIGetUTF8Text(IntPtr api);

    [LibraryImport(Library)]
    public static partial IntPtr TessBaseAPIGetHOCRText(IntPtr api, int pageNumber);

    [LibraryImport(Library)]
    public static partial IntPtr TessBaseAPIGetTsvText(IntPtr api, int pageNumber);

    [LibraryImport(Library)]
    public static partial int TessBaseAPIMeanTextConf(IntPtr api);

    [LibraryImport(Library)]
    public static partial void TessBaseAPIClear(IntPtr api);

    [LibraryImport(Library)]
    public static partial void TessDeleteText(IntPtr text);

    [LibraryImport(Library)]
    public static partial IntPtr TessMonitorCreate();

    [LibraryImport(Library)]
    public static partial void TessMonitorDelete(IntPtr monitor);

    [LibraryImport(Library)]
    public static partial void TessMonitorSetDeadlineMSecs(IntPtr monitor, int deadline);

    [LibraryImport(Library)]
    public static partial void TessMonitorSetCancelFunc(IntPtr monitor, delegate* unmanaged<IntPtr, int, byte> cancel);

    [LibraryImport(Library)]
    public static partial void TessMonitorSetCancelThis(IntPtr monitor, IntPtr cancelThis);

    [LibraryImport(Library)]
    public static partial IntPtr TessMonitorGetCancelThis(IntPtr monitor);

    [LibraryImport(Library)]
    public static partial void TessMonitorSetProgressFunc(IntPtr monitor, delegate* unmanaged<IntPtr, int, int, int, int, byte> progress);

    [LibraryImport(Library)]
    public static partial int TessMonitorGetProgress(IntPtr monitor);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial IntPtr TessPDFRendererCreate(string outputBase, string dataDirectory, int textOnly);

    [LibraryImport(Library, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int TessResultRendererBeginDocument(IntPtr renderer, string title);

    [LibraryImport(Library)]
    public static partial int TessResultRendererAddImage(IntPtr renderer, IntPtr api);

    [LibraryImport(Library)]
    public static partial int TessResultRendererEndDocument(IntPtr renderer);

    [LibraryImport(Library)]
    public static partial void TessDeleteResultRenderer(IntPtr renderer);

    /// <summary>Copies a string the library allocated and frees it.</summary>
    public static string TakeText(IntPtr text)
    {
        if (text == IntPtr.Zero)
        {
            return "";
        }
        try
        {
            return Marshal.PtrToStringUTF8(text) ?? "";
        }
        finally
        {
            TessDeleteText(text);
        }
    }
}
