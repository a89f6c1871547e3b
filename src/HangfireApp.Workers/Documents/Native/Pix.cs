using System.Runtime.InteropServices;

namespace HangfireApp.Workers.Documents.Native;

/// <summary>
/// An owned Leptonica image. Every Leptonica call that returns a new <c>PIX*</c> is wrapped at once, so a failure
/// between two steps of a pipeline never leaks native memory.
/// </summary>
public sealed class Pix : SafeHandle
{
    static Pix()
    {
        // Leptonica writes every error (a corrupt file, say) to stderr; the worker reports them as its own errors.
        Leptonica.setMsgSeverity(Leptonica.SeverityNone);
        NativeEnvironment.PrepareForImages();
    }

    /// <summary>For the marshaller only; pages come from <see cref="Read"/>, <see cref="Create"/> and the processing steps.</summary>
    public Pix()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    public int Width => Leptonica.pixGetWidth(handle);

    public int Height => Leptonica.pixGetHeight(handle);

    public int Depth => Leptonica.pixGetDepth(handle);

    /// <summary>Horizontal resolution in pixels per inch; 0 when the file did not say.</summary>
    public int XResolution => Leptonica.pixGetXRes(handle);

    public int YResolution => Leptonica.pixGetYRes(handle);

    internal IntPtr Pointer => handle;

    /// <summary>Takes ownership of a <c>PIX*</c>; throws with <paramref name="what"/> when Leptonica returned null.</summary>
    internal static Pix Own(IntPtr pointer, string what)
    {
        if (pointer == IntPtr.Zero)
        {
            throw new ImageException($"{what} failed.");
        }
        var pix = new Pix();
        pix.SetHandle(pointer);
        return pix;
    }

    /// <summary>Decodes a PNG, JPEG, TIFF (first page), BMP, PNM, GIF or WebP image.</summary>
    public static unsafe Pix Read(ReadOnlySpan<byte> data)
    {
        fixed (byte* pointer = data)
        {
            return Own(Leptonica.pixReadMem(pointer, (nuint)data.Length), "Decoding the image");
        }
    }

    /// <summary>
    /// Decodes an image file (the formats of <see cref="Read(ReadOnlySpan{byte})"/>) straight from disk: Leptonica streams
    /// it into the page, with no copy of the file in managed memory (a 300 dpi gray scan is several MB of large-object
    /// heap garbage per page otherwise, which the host's RSS carried until the next full collection).
    /// </summary>
    public static Pix ReadFile(string path) => Own(Leptonica.pixRead(path), "Decoding the image");

    /// <summary>
    /// The page of a TIFF file at <paramref name="offset"/> (0: the first), read from disk; moves <paramref name="offset"/>
    /// to the next page, or to 0 after the last. Null when the page cannot be decoded.
    /// </summary>
    public static Pix? ReadTiffPage(string path, ref nuint offset)
    {
        var pix = Leptonica.pixReadFromMultipageTiff(path, ref offset);
        return pix == IntPtr.Zero ? null : Own(pix, "Decoding a TIFF page");
    }

    /// <summary>A blank page of the given size and depth, white (8 bpp) or empty (1 bpp).</summary>
    public static Pix Create(int width, int height, int depth)
    {
        var pix = Own(Leptonica.pixCreate(width, height, depth), "Creating an image");
        if (depth == 8)
        {
            if (Leptonica.pixSetAll(pix.handle) != 0)
            {
                pix.Dispose();
                throw new ImageException("Clearing a new image failed.");
            }
        }
        return pix;
    }

    public void SetResolution(int ppi)
    {
        if (Leptonica.pixSetResolution(handle, ppi, ppi) != 0)
        {
            throw new ImageException("Setting the resolution failed.");
        }
    }

    /// <summary>Encodes the image (PNG for gray, TIFF G4 for binary pages: a few dozen KB per 300 dpi page).</summary>
    public byte[] Encode(int format)
    {
        var status = Leptonica.IsTiff(format)
            ? Leptonica.pixWriteMemTiff(out var data, out var size, handle, format)
            : Leptonica.pixWriteMem(out data, out size, handle, format);
        if (status != 0 || data == IntPtr.Zero)
        {
            throw new ImageException("Encoding the image failed.");
        }
        try
        {
            var bytes = new byte[checked((int)size)];
            Marshal.Copy(data, bytes, 0, bytes.Length);
            return bytes;
        }
        finally
        {
            Leptonica.lept_free(data);
        }
    }

    /// <summary>Appends this image as a page of a TIFF file (mode "w" starts it, "a" appends).</summary>
    public void AppendToTiff(string path, bool first)
    {
        // G4 is for 1 bpp only (Leptonica writes a broken file for anything else); gray and colour pages use ZIP.
        var compression = Depth == 1 ? Leptonica.FormatTiffG4 : Leptonica.FormatTiffZip;
        if (Leptonica.pixWriteTiff(path, handle, compression, first ? "w" : "a") != 0)
        {
            throw new ImageException($"Writing TIFF page to {path} failed.");
        }
    }

    protected override bool ReleaseHandle()
    {
        var pointer = handle;
        Leptonica.pixDestroy(ref pointer);
        return true;
    }
}

/// <summary>An image that cannot be decoded or processed: the file's fault, so retrying cannot help.</summary>
public sealed class ImageException : Exception
{
    public ImageException()
    {
    }

    public ImageException(string message)
        : base(message)
    {
    }

    public ImageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
