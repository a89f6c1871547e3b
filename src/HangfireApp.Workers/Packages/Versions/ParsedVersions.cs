using System.Collections.Concurrent;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// Version strings parsed once per host and scheme (<see cref="IVersionScheme.ParseKey"/>), shared by every compiled
/// advisory and every scanned package. Advisories and packages name the same versions over and over (<c>0</c>,
/// <c>1.0.0</c>, the fixed versions of one package's advisories), so parsing each distinct string once is most of
/// the cost of compiling advisories. Keys are immutable, so sharing them is safe. Bounded: past
/// <see cref="MaxEntries"/> a scheme's table starts over (simpler than an LRU, and rare).
/// </summary>
public static class ParsedVersions
{
    public const int MaxEntries = 500_000;

    // No key (an unparseable string) is remembered as this marker: ConcurrentDictionary takes no null values to tell apart.
    private static readonly object Invalid = new();

    private static readonly ConcurrentDictionary<IVersionScheme, ConcurrentDictionary<string, object>> Tables = new();

    /// <summary>The scheme's key for <paramref name="version"/>, or null when it does not parse there.</summary>
    public static object? Key(IVersionScheme scheme, string version)
    {
        // Many lock stripes: every scan thread adds the versions of its packages at once.
        var table = Tables.GetOrAdd(scheme, _ => new ConcurrentDictionary<string, object>(concurrencyLevel: 64, capacity: 4_096, StringComparer.Ordinal));
        if (table.TryGetValue(version, out var key))
        {
            return key == Invalid ? null : key;
        }
        if (table.Count >= MaxEntries)
        {
            table.Clear();
        }
        key = scheme.ParseKey(version) ?? Invalid;
        table.TryAdd(version, key);
        return key == Invalid ? null : key;
    }
}
