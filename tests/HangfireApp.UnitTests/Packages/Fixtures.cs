using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages;

/// <summary>The JSON files under Packages/Fixtures, copied next to the test assembly.</summary>
internal static class Fixtures
{
    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "Packages", "Fixtures");

    public static string Text(string name) => File.ReadAllText(Path.Combine(Directory, name));

    public static OsvRecord Record(string id) => OsvParser.Parse(Text(id + ".json")).Single();
}
