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
    private static bool _prepared;

    /// <summary>Sets <c>OMP_THREAD_LIMIT=1</c> in the native environment unless the process was started with a value.</summary>
    public static void PrepareForTesseract()
    {
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

    /// <summary>The value libc's environ holds (what libgomp sees), not .NET's copy.</summary>
    public static string? GetNative(string name) => Marshal.PtrToStringUTF8(getenv(name));

    /// <summary>The thread limit libgomp applies in this process (loads libgomp if needed: call after
    /// <see cref="PrepareForTesseract"/>, never before, or it reads the environment too early).</summary>
    public static int OpenMpThreadLimit() => omp_get_thread_limit();

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);

    [LibraryImport("libgomp.so.1")]
    private static partial int omp_get_thread_limit();
}
