using HangfireApp.Workers.Packages.Osv;
using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>A package version to match, parsed once for every advisory it is matched against.</summary>
public sealed class MatchTarget
{
    public MatchTarget(string ecosystem, string name, string version)
    {
        Ecosystem = ecosystem;
        Name = name;
        Version = version;
        NameKey = OsvMatcher.NormalizeName(ecosystem, name);
        if (VersionSchemes.TryGet(ecosystem, out var scheme) && ParsedVersions.Key(scheme, version) is { } key)
        {
            Scheme = scheme;
            EcosystemKey = key;
        }
        SemVerKey = ParsedVersions.Key(VersionSchemes.SemVer, version);
    }

    public string Ecosystem { get; }

    public string Name { get; }

    public string Version { get; }

    /// <summary>The name as OSV compares it in this ecosystem.</summary>
    public string NameKey { get; }

    /// <summary>The ecosystem's version scheme, when it has one and the version parses in it.</summary>
    public IVersionScheme? Scheme { get; }

    public object? EcosystemKey { get; }

    public object? SemVerKey { get; }
}

/// <summary>
/// An OSV record's <c>affected</c> entries compiled for matching many package versions: every version string is
/// parsed once per host (<see cref="ParsedVersions"/>) and every range's events are filtered and sorted once. Decides
/// exactly as <see cref="OsvMatcher.IsAffected"/> and <see cref="OsvAdvisoryMatcher"/>'s fixed-in rule do (same
/// order of evaluation, same sort, same fallbacks); only the repeated parsing is gone. Immutable, so one instance
/// serves every scan thread.
/// </summary>
public sealed class CompiledAdvisory
{
    private readonly Entry[] _entries;

    public CompiledAdvisory(string id, IReadOnlyList<OsvAffected> affected)
    {
        Id = id;
        _entries = new Entry[affected.Count];
        for (var i = 0; i < affected.Count; i++)
        {
            var entry = affected[i] ?? throw new OsvFormatException($"OSV record {id}: affected[{i}] is null.");
            _entries[i] = Compile(entry);
        }
    }

    public string Id { get; }

    /// <summary>The match (with the lowest fixed version above the target's), or null when the target is not affected.</summary>
    public AdvisoryMatch? Match(MatchTarget target) => IsAffected(target) ? new AdvisoryMatch(FixedIn(target)) : null;

    private static Entry Compile(OsvAffected affected)
    {
        if (affected.Package is not { } package)
        {
            return new Entry(affected, null, null, null, []);
        }
        VersionSchemes.TryGet(package.Ecosystem ?? "", out var scheme);
        string? nameKey = null;
        Exception? nameError = null;
        try
        {
            nameKey = OsvMatcher.NormalizeName(package.Ecosystem!, package.Name);
        }
        catch (Exception e) when (e is NullReferenceException or ArgumentException)
        {
            nameError = e; // thrown again at match time, where the plain matcher would throw it
        }
        var ranges = new CompiledRange[affected.Ranges.Count];
        for (var i = 0; i < ranges.Length; i++)
        {
            var range = affected.Ranges[i];
            var rangeScheme = range.Type switch
            {
                "SEMVER" => VersionSchemes.SemVer,
                "ECOSYSTEM" => scheme,
                _ => null,
            };
            ranges[i] = rangeScheme is null ? new CompiledRange(range.Type, null, [], [], [], []) : CompileRange(range, rangeScheme);
        }
        return new Entry(affected, package, nameKey, nameError, ranges);
    }

    private static CompiledRange CompileRange(OsvRange range, IVersionScheme scheme)
    {
        // As OsvMatcher.InRange: the events that order, with the same filter and the same (unstable) sort on the
        // same input, so ties come out in the same order.
        var valid = range.Events.Where(e => IsZero(e.Introduced) || Key(scheme, EventVersion(e)) is not null).ToList();
        valid.Sort((a, b) => (IsZero(a.Introduced), IsZero(b.Introduced)) switch
        {
            (true, true) => 0,
            (true, false) => -1,
            (false, true) => 1,
            _ => scheme.CompareKeys(Key(scheme, EventVersion(a))!, Key(scheme, EventVersion(b))!),
        });
        var limits = valid.Where(e => e.Limit is not null).ToArray();
        // The key each comparison in InRange would look up, looked up once here (same scheme, same string, so the
        // same key); used only when the range is matched with this same scheme.
        var keys = valid.Select(e => e.Introduced is { } introduced ? (IsZero(introduced) ? null : Key(scheme, introduced))
            : e.Fixed is { } fixedVersion ? Key(scheme, fixedVersion)
            : e.LastAffected is { } lastAffected ? Key(scheme, lastAffected)
            : null).ToArray();
        return new CompiledRange(range.Type, scheme, [.. valid], limits, keys, [.. limits.Select(e => Key(scheme, e.Limit!))]);
    }

    private bool IsAffected(MatchTarget target)
    {
        foreach (var entry in _entries)
        {
            if (!SamePackage(entry, target))
            {
                continue;
            }
            foreach (var listed in entry.Affected.Versions)
            {
                if (SameVersion(listed, target))
                {
                    return true;
                }
            }
            foreach (var range in entry.Ranges)
            {
                var (scheme, key) = range.Type switch
                {
                    "SEMVER" when target.SemVerKey is not null => (VersionSchemes.SemVer, target.SemVerKey),
                    "ECOSYSTEM" when target.EcosystemKey is not null => (target.Scheme, target.EcosystemKey),
                    _ => (null, null),
                };
                if (scheme is not null && InRange(range, scheme, key!, target.Version))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static bool SamePackage(Entry entry, MatchTarget target)
    {
        if (entry.Package is not { } package || !string.Equals(package.Ecosystem, target.Ecosystem, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        if (entry.NameError is { } error)
        {
            throw error;
        }
        return string.Equals(entry.NameKey, target.NameKey, StringComparison.Ordinal);
    }

    private static bool SameVersion(string listed, MatchTarget target)
    {
        if (string.Equals(listed, target.Version, StringComparison.Ordinal))
        {
            return true;
        }
        if (target.Scheme is not { } scheme)
        {
            return false;
        }
        return Key(scheme, listed) is { } key && scheme.CompareKeys(key, target.EcosystemKey!) == 0;
    }

    private static bool InRange(CompiledRange range, IVersionScheme scheme, object version, string versionText)
    {
        var compiled = ReferenceEquals(scheme, range.Scheme);
        if (range.Limits.Length > 0)
        {
            var atOrAboveEveryLimit = true;
            for (var i = 0; i < range.Limits.Length && atOrAboveEveryLimit; i++)
            {
                atOrAboveEveryLimit = Compare(scheme, version, versionText, range.Limits[i].Limit!, compiled ? range.LimitKeys[i] : null, compiled) >= 0;
            }
            if (atOrAboveEveryLimit)
            {
                return false;
            }
        }
        // The last event at or below the version decides, because the events are sorted.
        var affected = false;
        for (var i = 0; i < range.Events.Length; i++)
        {
            var e = range.Events[i];
            var key = compiled ? range.EventKeys[i] : null;
            if (e.Introduced is { } introduced)
            {
                if (IsZero(introduced) || Compare(scheme, version, versionText, introduced, key, compiled) >= 0)
                {
                    affected = true;
                }
            }
            else if (e.Fixed is { } fixedVersion)
            {
                if (Compare(scheme, version, versionText, fixedVersion, key, compiled) >= 0)
                {
                    affected = false;
                }
            }
            else if (e.LastAffected is { } lastAffected && Compare(scheme, version, versionText, lastAffected, key, compiled) > 0)
            {
                affected = false;
            }
        }
        return affected;
    }

    /// <summary>As <see cref="Compare(IVersionScheme, object, string, string)"/>, with <paramref name="other"/>'s key
    /// already looked up (<paramref name="known"/>: <paramref name="otherKey"/> is its key in this scheme, null when
    /// it does not parse there).</summary>
    private static int Compare(IVersionScheme scheme, object version, string versionText, string other, object? otherKey, bool known) =>
        !known ? Compare(scheme, version, versionText, other)
        : otherKey is not null ? scheme.CompareKeys(version, otherKey) : scheme.Compare(versionText, other);

    /// <summary>As <see cref="OsvAdvisoryMatcher"/>: the lowest <c>fixed</c> above the version among the package's ranges.</summary>
    private string? FixedIn(MatchTarget target)
    {
        if (target.Scheme is not { } scheme)
        {
            return null;
        }
        var candidates = new List<string>();
        foreach (var entry in _entries)
        {
            if (!SamePackage(entry, target))
            {
                continue;
            }
            foreach (var range in entry.Affected.Ranges)
            {
                foreach (var e in range.Events)
                {
                    if (e.Fixed is { } fixedVersion && Key(scheme, fixedVersion) is { } key && scheme.CompareKeys(key, target.EcosystemKey!) > 0)
                    {
                        candidates.Add(fixedVersion);
                    }
                }
            }
        }
        candidates.Sort((a, b) => scheme.CompareKeys(Key(scheme, a)!, Key(scheme, b)!));
        return candidates.FirstOrDefault();
    }

    private static int Compare(IVersionScheme scheme, object version, string versionText, string other) =>
        Key(scheme, other) is { } key ? scheme.CompareKeys(version, key) : scheme.Compare(versionText, other);

    /// <summary>The parsed key; a null string is handed to the scheme as the plain matcher would (and fails there alike).</summary>
    private static object? Key(IVersionScheme scheme, string text) => text is null ? scheme.ParseKey(text!) : ParsedVersions.Key(scheme, text);

    private static bool IsZero(string? introduced) => introduced == "0";

    private static string EventVersion(OsvEvent e) => e.Introduced ?? e.Fixed ?? e.LastAffected ?? e.Limit ?? "";

    private sealed record Entry(OsvAffected Affected, OsvPackage? Package, string? NameKey, Exception? NameError, CompiledRange[] Ranges);

    // EventKeys: per event, the key of the version InRange compares with (null: "0" or unparseable); LimitKeys: per
    // limit event, the key of its limit. Both in Scheme.
    private sealed record CompiledRange(string Type, IVersionScheme? Scheme, OsvEvent[] Events, OsvEvent[] Limits, object?[] EventKeys, object?[] LimitKeys);
}
