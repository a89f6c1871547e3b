using System.Runtime.InteropServices;

namespace HangfireApp.Workers.Documents.Native;

/// <summary>
/// The native side of the process environment. Tesseract runs its LSTM through OpenMP (libgomp), which reads
/// <c>OMP_THREAD_LIMIT</c> from the C library's environ once, when libgomp is loaded with libtesseract. .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string?)"/> only changes the managed copy on Linux, so the
/// value goes through libc's <c>setenv</c>, before the first call into libtesseract. Without it every page spins up
/// one OpenMP team per core, and engines on parallel pages fight over the same cores (4–7× slower on 2 cores).
/// </summary>
public static partial class NativeEnvironment
{
    private static readonly Lock Gate = new();
    private const int MallocMmapThreshold = -3; // M_MMAP_THRESHOLD of glibc's malloc.h
    private static bool _prepared;
    private static bool _imagesPrepared;

    /// <summary>Sets <c>OMP_THREAD_LIMIT=1</c> in the native environment unless the process was started with a value.</summary>
    public static void PrepareForTesseract()
    {
        PrepareForImages();
        lock (Gate)
        {
            if (_prepared)
            {
                return;
            }
            // overwrite = 0: an operator who starts the process with another limit keeps it.
            if (setenv("OMP_THREAD_LIMIT", "1", 0) != 0)
            {
                throw new InvalidOperationException($"setenv(OMP_THREAD_LIMIT) failed: errno {Marshal.GetLastPInvokeError()}.");
            }
            _prepared = true;
        }
    }

    /// <summary>
    /// Makes glibc's malloc serve every block of 4 MiB or more with its own mapping, returned to the system when freed.
    /// A page in work holds several such blocks (an 8 bpp 300 dpi A4 page is 8.7 MB, and Leptonica's normalisation makes
    /// copies of it). By default glibc raises its mmap threshold to the size of the first large block freed, after which
    /// such blocks come from the per-thread arenas and stay resident there when freed: measured, 20 pages normalised on
    /// 2 threads left 121 MB resident instead of 67 MB (peak 193 MB instead of 160 MB). 4 MiB and not less: at 1 MiB
    /// Tesseract's own megabyte-sized blocks were mapped and unmapped too, and the TLB shootdowns of those unmaps cost
    /// the host ~5% of its CPU in the benchmark (perf: 40.3 → 38.3 CPU-s for 20 pages at 4 MiB, same peak RSS).
    /// An operator's own <c>MALLOC_MMAP_THRESHOLD_</c> wins.
    /// </summary>
    public static void PrepareForImages()
    {
        lock (Gate)
        {
            if (_imagesPrepared)
            {
                return;
            }
            _imagesPrepared = true;
            if (Environment.GetEnvironmentVariable("MALLOC_MMAP_THRESHOLD_") is not null)
            {
                return;
            }
            try
            {
                _ = mallopt(MallocMmapThreshold, 4 * 1024 * 1024);
            }
            catch (EntryPointNotFoundException)
            {
                // not glibc: its allocator has its own policy
            }
        }
    }

    /// <summary>The value libc's environ holds (what libgomp sees), not .NET's copy.</summary>
    public static string? GetNative(string name) => Marshal.PtrToStringUTF8(getenv(name));

    /// <summary>The thread limit libgomp applies in this process (loads libgomp if needed: call after
    /// <see cref="PrepareForTesseract"/>, never before, or it reads the environment too early).</summary>
    public static int OpenMpThreadLimit() => omp_get_thread_limit();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libc")]
    private static partial int mallopt(int parameter, int value);

    [LibraryImport("libgomp.so.1")]
    private static partial int omp_get_thread_limit();
}
