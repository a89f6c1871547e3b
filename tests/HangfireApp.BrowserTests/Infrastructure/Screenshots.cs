using System.Text.RegularExpressions;

namespace HangfireApp.BrowserTests.Infrastructure;

/// <summary>
/// Where scenario screenshots go: <c>.local/test-results/screenshots</c> of the checkout (next to the TRX files
/// that ops/test.sh collects), or <c>HANGFIREAPP_SCREENSHOTS</c> when set.
/// </summary>
public static partial class Screenshots
{
    public static string Directory { get; } = Resolve();

    public static string PathFor(string name)
    {
        System.IO.Directory.CreateDirectory(Directory);
        return Path.Combine(Directory, UnsafeCharacters().Replace(name, "-") + ".png");
    }

    private static string Resolve()
    {
        if (Environment.GetEnvironmentVariable("HANGFIREAPP_SCREENSHOTS") is { Length: > 0 } configured)
        {
            return configured;
        }
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HangfireApp.sln")))
            {
                return Path.Combine(directory.FullName, ".local", "test-results", "screenshots");
            }
        }
        return Path.Combine(AppContext.BaseDirectory, "screenshots");
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]+")]
    private static partial Regex UnsafeCharacters();
}
