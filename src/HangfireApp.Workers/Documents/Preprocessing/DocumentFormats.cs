using HangfireApp.Workers.Documents.Native;

namespace HangfireApp.Workers.Documents.Preprocessing;

/// <summary>The file types the documents worker takes (a zip of them is unpacked at intake).</summary>
public static class DocumentFormats
{
    public const string Pdf = "pdf";
    public const string Tiff = "tiff";
    public const string Png = "png";
    public const string Jpeg = "jpeg";
    public const string Zip = "zip";

    /// <summary>The format of a file by its first bytes (never by its name); null when it is none of ours.</summary>
    public static unsafe string? Sniff(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF-"u8))
        {
            return Pdf;
        }
        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8))
        {
            return Zip;
        }
        if (head.Length < 12)
        {
            return null;
        }
        // Leptonica reads the first 12 bytes.
        int format;
        fixed (byte* pointer = head)
        {
            if (Leptonica.findFileFormatBuffer(pointer, out format) != 0)
            {
                return null;
            }
        }
        return format switch
        {
            Leptonica.FormatPng => Png,
            Leptonica.FormatJpeg => Jpeg,
            _ when Leptonica.IsTiff(format) => Tiff,
            _ => null,
        };
    }

    public static string ContentType(string format) => format switch
    {
        Pdf => "application/pdf",
        Tiff => "image/tiff",
        Png => "image/png",
        Jpeg => "image/jpeg",
        _ => "application/octet-stream",
    };
}
