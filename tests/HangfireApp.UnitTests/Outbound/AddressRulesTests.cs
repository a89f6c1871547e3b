using System.Net;
using HangfireApp.Batches.Outbound;

namespace HangfireApp.UnitTests.Outbound;

public sealed class AddressRulesTests
{
    [Theory]
    // IPv4: refused ranges, with their edges.
    [InlineData("0.0.0.0", "this network")]
    [InlineData("0.255.255.255", "this network")]
    [InlineData("10.0.0.1", "private")]
    [InlineData("10.255.255.255", "private")]
    [InlineData("100.64.0.1", "carrier-grade NAT")]
    [InlineData("100.127.255.254", "carrier-grade NAT")]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("169.254.169.254", "link-local")] // cloud metadata endpoint
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("192.0.0.8", "IETF protocol assignments")]
    [InlineData("198.18.0.1", "benchmarking")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("239.255.255.250", "multicast")]
    [InlineData("255.255.255.255", "reserved or broadcast")]
    // IPv6: refused ranges.
    [InlineData("::1", "loopback")]
    [InlineData("::", "unspecified")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("febf:ffff::1", "link-local")]
    [InlineData("fc00::1", "unique local")]
    [InlineData("fd12:3456:789a::1", "unique local")]
    [InlineData("fec0::1", "site-local")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("2001:db8::1", "documentation")]
    // IPv6 forms carrying an IPv4 address are judged by that address.
    [InlineData("::ffff:127.0.0.1", "IPv4-mapped loopback")]
    [InlineData("::ffff:10.1.2.3", "IPv4-mapped private")]
    [InlineData("::ffff:169.254.169.254", "IPv4-mapped link-local")]
    [InlineData("::127.0.0.1", "IPv6-embedded loopback")]
    [InlineData("64:ff9b::192.168.0.1", "IPv6-embedded private")]
    public void WhyRefused_NamesTheRange_ForNonPublicAddresses(string address, string expected)
    {
        var why = AddressRules.WhyRefused(IPAddress.Parse(address));

        why.ShouldNotBeNull();
        why.ShouldStartWith(expected);
    }

    [Theory]
    [InlineData("1.1.1.1")]
    [InlineData("8.8.8.8")]
    [InlineData("9.255.255.255")] // just below 10/8
    [InlineData("11.0.0.0")] // just above 10/8
    [InlineData("100.63.255.255")] // just below 100.64/10
    [InlineData("100.128.0.0")] // just above 100.64/10
    [InlineData("172.15.255.255")] // just below 172.16/12
    [InlineData("172.32.0.0")] // just above 172.16/12
    [InlineData("169.253.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("223.255.255.255")] // just below multicast
    [InlineData("93.184.215.14")]
    [InlineData("2606:4700:4700::1111")]
    [InlineData("2a00:1450:4001:80b::200e")]
    [InlineData("::ffff:8.8.8.8")] // IPv4-mapped public
    [InlineData("64:ff9b::8.8.8.8")] // NAT64 of a public address
    [InlineData("fe00::1")] // just below fe80::/10 (global unicast space is not refused)
    public void WhyRefused_IsNull_ForPublicAddresses(string address) =>
        AddressRules.WhyRefused(IPAddress.Parse(address)).ShouldBeNull();
}
