using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace HangfireApp.Workers.Packages.Versions;

/// <summary>
/// A PEP 440 version: <c>[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]</c>, with the PEP's alternative spellings
/// (<c>alpha</c>, <c>beta</c>, <c>c</c>, <c>pre</c>, <c>preview</c>, <c>rev</c>, <c>r</c>, <c>-N</c> post releases,
/// <c>-</c>/<c>_</c>/<c>.</c> separators, implicit numbers, a leading <c>v</c>, any case) normalized away.
/// Ordering follows the PEP: epoch, release (trailing zeros ignored, so <c>1.0 == 1.0.0</c>),
/// then <c>.devN</c> &lt; <c>aN</c> &lt; <c>bN</c> &lt; <c>rcN</c> &lt; release &lt; <c>.postN</c>, then local labels.
/// </summary>
public sealed partial class Pep440Version : IComparable<Pep440Version>
{
    // The PEP's own permissive pattern (its appendix), used after trimming.
    [GeneratedRegex(
        """
        ^v?
        (?:(?<epoch>[0-9]+)!)?
        (?<release>[0-9]+(?:\.[0-9]+)*)
        (?<pre>[-_.]?(?<pre_l>alpha|a|beta|b|preview|pre|c|rc)[-_.]?(?<pre_n>[0-9]+)?)?
        (?<post>(?:-(?<post_n1>[0-9]+))|(?:[-_.]?(?<post_l>post|rev|r)[-_.]?(?<post_n2>[0-9]+)?))?
        (?<dev>[-_.]?(?<dev_l>dev)[-_.]?(?<dev_n>[0-9]+)?)?
        (?:\+(?<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?
        $
        """,
        RegexOptions.IgnoreCase | RegexOptions.IgnorePatternWhitespace | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    private readonly long[] _release;
    private readonly string[] _local;

    private Pep440Version(long epoch, long[] release, (int Rank, long Number)? pre, long? post, long? dev, string[] local)
    {
        Epoch = epoch;
        _release = release;
        Pre = pre;
        Post = post;
        Dev = dev;
        _local = local;
    }

    public long Epoch { get; }

    public IReadOnlyList<long> Release => _release;

    /// <summary>Prerelease as (0 = a, 1 = b, 2 = rc, number), or null.</summary>
    public (int Rank, long Number)? Pre { get; }

    public long? Post { get; }

    public long? Dev { get; }

    /// <summary>Local version label segments, lowercase; empty when none.</summary>
    public IReadOnlyList<string> Local => _local;

    public static bool TryParse(string text, [NotNullWhen(true)] out Pep440Version? version)
    {
        version = null;
        var m = Pattern().Match(text.Trim());
        if (!m.Success)
        {
            return false;
        }

        try
        {
            (int, long)? pre = null;
            if (m.Groups["pre"].Success)
            {
                var rank = m.Groups["pre_l"].Value.ToUpperInvariant() switch
                {
                    "A" or "ALPHA" => 0,
                    "B" or "BETA" => 1,
                    _ => 2, // c, rc, pre, preview all mean release candidate
                };
                pre = (rank, Number(m.Groups["pre_n"]));
            }

            long? post = m.Groups["post"].Success
                ? Number(m.Groups["post_n1"].Success ? m.Groups["post_n1"] : m.Groups["post_n2"])
                : null;
            long? dev = m.Groups["dev"].Success ? Number(m.Groups["dev_n"]) : null;
            var local = m.Groups["local"].Success
                ? m.Groups["local"].Value.ToLowerInvariant().Split('-', '_', '.')
                : [];
            var epoch = m.Groups["epoch"].Success ? Number(m.Groups["epoch"]) : 0;
            var release = m.Groups["release"].Value.Split('.').Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray();
            version = new Pep440Version(epoch, release, pre, post, dev, local);
            return true;
        }
        catch (OverflowException)
        {
            return false; // a segment beyond 19 digits is not a version anyone publishes
        }
    }

    public static Pep440Version Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"'{text}' is not a PEP 440 version.");

    /// <inheritdoc />
    public int CompareTo(Pep440Version? other)
    {
        if (other is null)
        {
            return 1;
        }

        var c = Epoch.CompareTo(other.Epoch);
        if (c != 0)
        {
            return c;
        }

        for (var i = 0; i < Math.Max(_release.Length, other._release.Length); i++)
        {
            c = At(_release, i).CompareTo(At(other._release, i));
            if (c != 0)
            {
                return c;
            }
        }

        c = PreKey().CompareTo(other.PreKey());
        if (c != 0)
        {
            return c;
        }

        // No post release sorts before any post release (.post0 included).
        c = (Post ?? -1).CompareTo(other.Post ?? -1);
        if (c != 0)
        {
            return c;
        }

        // No dev release sorts after any dev release.
        c = (Dev ?? long.MaxValue).CompareTo(other.Dev ?? long.MaxValue);
        return c != 0 ? c : CompareLocal(_local, other._local);
    }

    /// <summary>Equal by precedence (see <see cref="CompareTo"/>), not by spelling.</summary>
    public override bool Equals(object? obj) => obj is Pep440Version other && CompareTo(other) == 0;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Epoch, string.Join('.', _release.Reverse().SkipWhile(r => r == 0)), Pre, Post, Dev, string.Join('.', _local.Select(l => l.All(char.IsAsciiDigit) ? l.TrimStart('0') : l)));

    public static bool operator ==(Pep440Version? left, Pep440Version? right) => left is null ? right is null : left.Equals(right);

    public static bool operator !=(Pep440Version? left, Pep440Version? right) => !(left == right);

    public static bool operator <(Pep440Version? left, Pep440Version? right) => left is null ? right is not null : left.CompareTo(right) < 0;

    public static bool operator <=(Pep440Version? left, Pep440Version? right) => left is null || left.CompareTo(right) <= 0;

    public static bool operator >(Pep440Version? left, Pep440Version? right) => left is not null && left.CompareTo(right) > 0;

    public static bool operator >=(Pep440Version? left, Pep440Version? right) => left is null ? right is null : left.CompareTo(right) >= 0;

    /// <summary>The PEP 440 normal form, e.g. <c>1!2.0rc1.post3.dev4+ubuntu.1</c>.</summary>
    public override string ToString()
    {
        var s = (Epoch != 0 ? Epoch.ToString(CultureInfo.InvariantCulture) + "!" : "")
            + string.Join('.', _release.Select(r => r.ToString(CultureInfo.InvariantCulture)));
        if (Pre is { } pre)
        {
            s += (pre.Rank switch { 0 => "a", 1 => "b", _ => "rc" }) + pre.Number.ToString(CultureInfo.InvariantCulture);
        }

        if (Post is { } post)
        {
            s += ".post" + post.ToString(CultureInfo.InvariantCulture);
        }

        if (Dev is { } dev)
        {
            s += ".dev" + dev.ToString(CultureInfo.InvariantCulture);
        }

        return _local.Length > 0 ? s + "+" + string.Join('.', _local) : s;
    }

    private (int Rank, long Number) PreKey() =>
        Pre ?? (Post is null && Dev is not null
            ? (-1, 0) // 1.0.dev0 sorts before 1.0a0: a bare dev release precedes every prerelease
            : (3, 0)); // a final (or post) release follows every prerelease

    private static long At(long[] release, int i) => i < release.Length ? release[i] : 0;

    private static long Number(Group g) => g.Success ? long.Parse(g.Value, CultureInfo.InvariantCulture) : 0;

    private static int CompareLocal(string[] a, string[] b)
    {
        for (var i = 0; i < Math.Min(a.Length, b.Length); i++)
        {
            var aNum = a[i].All(char.IsAsciiDigit);
            var bNum = b[i].All(char.IsAsciiDigit);
            var c = (aNum, bNum) switch
            {
                (true, true) => SemVersion.CompareNumeric(a[i], b[i]),
                (true, false) => 1, // numeric local segments sort after alphanumeric ones
                (false, true) => -1,
                _ => Math.Sign(string.CompareOrdinal(a[i], b[i])),
            };
            if (c != 0)
            {
                return c;
            }
        }

        return a.Length.CompareTo(b.Length);
    }
}
