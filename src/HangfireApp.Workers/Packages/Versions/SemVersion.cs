using System.Diagnostics.CodeAnalysis;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// A SemVer 2.0.0 version (<c>MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD]</c>), ordered by SemVer precedence:
/// build metadata is kept for display but ignored by comparison.
/// </summary>
public sealed class SemVersion : IComparable<SemVersion>
{
    private readonly string[] _core;
    private readonly string[] _prerelease;

    private SemVersion(string[] core, string[] prerelease, string build)
    {
        _core = core;
        _prerelease = prerelease;
        Build = build;
    }

    /// <summary>The dot-separated prerelease identifiers; empty for a release.</summary>
    public IReadOnlyList<string> Prerelease => _prerelease;

    /// <summary>The build metadata after <c>+</c>, or an empty string.</summary>
    public string Build { get; }

    /// <summary>
    /// Parses a strict SemVer string. A leading <c>v</c> is accepted (npm and Go write it), leading zeros in
    /// numeric identifiers are not (the spec forbids them, and they would make equality ambiguous).
    /// </summary>
    public static bool TryParse(string text, [NotNullWhen(true)] out SemVersion? version)
    {
        version = null;
        var s = text.Trim();
        if (s.StartsWith('v') || s.StartsWith('V'))
        {
            s = s[1..];
        }

        var build = "";
        var plus = s.IndexOf('+', StringComparison.Ordinal);
        if (plus >= 0)
        {
            build = s[(plus + 1)..];
            s = s[..plus];
            if (!build.Split('.').All(IsIdentifier))
            {
                return false;
            }
        }

        string[] prerelease = [];
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash >= 0)
        {
            prerelease = s[(dash + 1)..].Split('.');
            s = s[..dash];
            if (!prerelease.All(p => IsIdentifier(p) && !(IsNumeric(p) && p.Length > 1 && p[0] == '0')))
            {
                return false;
            }
        }

        var core = s.Split('.');
        if (core.Length != 3 || !core.All(c => IsNumeric(c) && (c.Length == 1 || c[0] != '0')))
        {
            return false;
        }

        version = new SemVersion(core, prerelease, build);
        return true;
    }

    /// <summary>Parses or throws <see cref="FormatException"/>.</summary>
    public static SemVersion Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a SemVer 2.0 version.");

    /// <inheritdoc />
    public int CompareTo(SemVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        for (var i = 0; i < 3; i++)
        {
            var c = CompareNumeric(_core[i], other._core[i]);
            if (c != 0)
            {
                return c;
            }
        }

        // A release outranks any of its prereleases.
        if (_prerelease.Length == 0 || other._prerelease.Length == 0)
        {
            return other._prerelease.Length.CompareTo(_prerelease.Length) switch { > 0 => 1, < 0 => -1, _ => 0 };
        }

        for (var i = 0; i < Math.Min(_prerelease.Length, other._prerelease.Length); i++)
        {
            var c = CompareIdentifier(_prerelease[i], other._prerelease[i]);
            if (c != 0)
            {
                return c;
            }
        }

        return _prerelease.Length.CompareTo(other._prerelease.Length);
    }

    /// <summary>Equal by precedence (see <see cref="CompareTo"/>), not by spelling.</summary>
    public override bool Equals(object? obj) => obj is SemVersion other && CompareTo(other) == 0;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(string.Join('.', _core.Select(c => c.TrimStart('0'))), string.Join('.', _prerelease));

    public static bool operator ==(SemVersion? left, SemVersion? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(SemVersion? left, SemVersion? right) => !(left == right);

    public static bool operator <(SemVersion? left, SemVersion? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(SemVersion? left, SemVersion? right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(SemVersion? left, SemVersion? right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(SemVersion? left, SemVersion? right) => left is null ? right is null : left.CompareTo(right) >= 0;

    /// <summary>The version without a <c>v</c> prefix, build metadata included.</summary>
    public override string ToString() =>
        string.Join('.', _core)
        + (_prerelease.Length > 0 ? "-" + string.Join('.', _prerelease) : "")
        + (Build.Length > 0 ? "+" + Build : "");

    private static int CompareIdentifier(string a, string b)
    {
        var aNum = IsNumeric(a);
        var bNum = IsNumeric(b);
        return (aNum, bNum) switch
        {
            (true, true) => CompareNumeric(a, b),
            (true, false) => -1, // numeric identifiers have lower precedence than alphanumeric ones
            (false, true) => 1,
            _ => Math.Sign(string.CompareOrdinal(a, b)),
        };
    }

    /// <summary>Compares digit strings without parsing, so no identifier is too long for a number type.</summary>
    internal static int CompareNumeric(string a, string b)
    {
        a = a.TrimStart('0');
        b = b.TrimStart('0');
        return a.Length != b.Length ? a.Length.CompareTo(b.Length) : Math.Sign(string.CompareOrdinal(a, b));
    }

    private static bool IsNumeric(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private static bool IsIdentifier(string s) => s.Length > 0 && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
}
