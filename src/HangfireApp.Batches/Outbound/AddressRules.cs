using System.Net;
using System.Net.Sockets;

namespace HangfireApp.Batches.Outbound;

/// <summary>
/// The outbound policy's address rules: which IP addresses no client of a user-given URL may connect to, and why. Everything that
/// is not a plain public unicast address is refused: loopback, RFC 1918 private, link-local, CGNAT
/// (100.64/10), "this network" (0/8), multicast, broadcast and reserved ranges, IPv6 unique local and
/// site-local, and IPv6 forms that carry an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64) are judged by
/// that IPv4 address.
/// </summary>
public static class AddressRules
{
    private static readonly (IPAddress Network, int Prefix, string Why)[] V4Ranges =
    [
        (IPAddress.Parse("0.0.0.0"), 8, "this network (0.0.0.0/8)"),
        (IPAddress.Parse("10.0.0.0"), 8, "private (10.0.0.0/8)"),
        (IPAddress.Parse("100.64.0.0"), 10, "carrier-grade NAT (100.64.0.0/10)"),
        (IPAddress.Parse("127.0.0.0"), 8, "loopback (127.0.0.0/8)"),
        (IPAddress.Parse("169.254.0.0"), 16, "link-local (169.254.0.0/16)"),
        (IPAddress.Parse("172.16.0.0"), 12, "private (172.16.0.0/12)"),
        (IPAddress.Parse("192.0.0.0"), 24, "IETF protocol assignments (192.0.0.0/24)"),
        (IPAddress.Parse("192.0.2.0"), 24, "documentation (192.0.2.0/24)"),
        (IPAddress.Parse("192.168.0.0"), 16, "private (192.168.0.0/16)"),
        (IPAddress.Parse("198.18.0.0"), 15, "benchmarking (198.18.0.0/15)"),
        (IPAddress.Parse("198.51.100.0"), 24, "documentation (198.51.100.0/24)"),
        (IPAddress.Parse("203.0.113.0"), 24, "documentation (203.0.113.0/24)"),
        (IPAddress.Parse("224.0.0.0"), 4, "multicast (224.0.0.0/4)"),
        (IPAddress.Parse("240.0.0.0"), 4, "reserved or broadcast (240.0.0.0/4)"),
    ];

    private static readonly (IPAddress Network, int Prefix, string Why)[] V6Ranges =
    [
        (IPAddress.Parse("fc00::"), 7, "unique local (fc00::/7)"),
        (IPAddress.Parse("fe80::"), 10, "link-local (fe80::/10)"),
        (IPAddress.Parse("fec0::"), 10, "site-local (fec0::/10)"),
        (IPAddress.Parse("ff00::"), 8, "multicast (ff00::/8)"),
        (IPAddress.Parse("2001:db8::"), 32, "documentation (2001:db8::/32)"),
    ];

    private static readonly IPAddress Nat64Prefix = IPAddress.Parse("64:ff9b::");

    /// <summary>Why <paramref name="address"/> is refused, or null when it is a public unicast address.</summary>
    public static string? WhyRefused(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return WhyRefusedV4(address.MapToIPv4()) is { } why ? $"IPv4-mapped {why}" : null;
            }
            var bytes = address.GetAddressBytes();
            if (address.Equals(IPAddress.IPv6Loopback))
            {
                return "loopback (::1)";
            }
            if (address.Equals(IPAddress.IPv6None))
            {
                return "unspecified (::)";
            }
            // ::a.b.c.d (IPv4-compatible, deprecated) and 64:ff9b::a.b.c.d (NAT64) reach the embedded IPv4 address.
            if (bytes.AsSpan(0, 12).IndexOfAnyExcept((byte)0) < 0 || InRange(address, Nat64Prefix, 96))
            {
                var embedded = new IPAddress(bytes.AsSpan(12, 4));
                return WhyRefusedV4(embedded) is { } why ? $"IPv6-embedded {why}" : null;
            }
            foreach (var (network, prefix, why) in V6Ranges)
            {
                if (InRange(address, network, prefix))
                {
                    return why;
                }
            }
            return null;
        }
        return address.AddressFamily == AddressFamily.InterNetwork ? WhyRefusedV4(address) : $"not an IP address family ({address.AddressFamily})";
    }

    private static string? WhyRefusedV4(IPAddress address)
    {
        foreach (var (network, prefix, why) in V4Ranges)
        {
            if (InRange(address, network, prefix))
            {
                return why;
            }
        }
        return null;
    }

    private static bool InRange(IPAddress address, IPAddress network, int prefix)
    {
        var a = address.GetAddressBytes();
        var n = network.GetAddressBytes();
        if (a.Length != n.Length)
        {
            return false;
        }
        var whole = prefix / 8;
        if (!a.AsSpan(0, whole).SequenceEqual(n.AsSpan(0, whole)))
        {
            return false;
        }
        var rest = prefix % 8;
        if (rest == 0)
        {
            return true;
        }
        var mask = (byte)(0xFF << (8 - rest));
        return (a[whole] & mask) == (n[whole] & mask);
    }

    /// <summary>Parses <c>address/prefix</c> (or a single address) as an allowed network; null when it is not one.</summary>
    public static (IPAddress Network, int Prefix)? ParseNetwork(string text)
    {
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (!IPAddress.TryParse(slash < 0 ? text : text[..slash], out var network))
        {
            return null;
        }
        var bits = network.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        if (slash < 0)
        {
            return (network, bits);
        }
        return int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix)
            && prefix <= bits ? (network, prefix) : null;
    }

    /// <summary>Whether <paramref name="address"/> lies in <paramref name="network"/>/<paramref name="prefix"/> (IPv4-mapped IPv6 as IPv4).</summary>
    public static bool Contains(IPAddress network, int prefix, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        if (network.IsIPv4MappedToIPv6)
        {
            network = network.MapToIPv4();
        }
        return InRange(address, network, prefix);
    }
}
