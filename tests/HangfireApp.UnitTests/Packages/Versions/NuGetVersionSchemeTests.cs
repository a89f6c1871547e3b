using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.UnitTests.Packages.Versions;

public sealed class NuGetVersionSchemeTests
{
    private static readonly IVersionScheme Scheme = VersionSchemes.Get("NuGet");

    [Theory]
    [InlineData("1.0", "1.0.0", 0)]
    [InlineData("1.0.0.0", "1.0.0", 0)]
    [InlineData("1.0.0.1", "1.0.0", 1)]
    [InlineData("1.0.0-alpha", "1.0.0", -1)]
    [InlineData("1.0.0-ALPHA", "1.0.0-alpha", 0)]
    [InlineData("1.0.0-alpha", "1.0.0-beta", -1)]
    [InlineData("1.0.0-alpha.2", "1.0.0-alpha.10", -1)]
    [InlineData("1.0.0-rc.1", "1.0.0", -1)]
    [InlineData("1.0.0+sha.1", "1.0.0+sha.2", 0)]
    [InlineData("4.5.0", "4.5.1", -1)]
    [InlineData("4.7.1", "4.7.2", -1)]
    [InlineData("5.0.0", "4.7.2", 1)]
    [InlineData("13.0.1", "13.0.3", -1)]
    [InlineData("1.10.0", "1.9.0", 1)]
    [InlineData("2.0.0-preview.1.20120.5", "2.0.0-preview.2.20160.6", -1)]
    [InlineData("2.0.0-preview1", "2.0.0-preview2", -1)]
    [InlineData("1.0.0-beta", "1.0.0-beta.1", -1)]
    public void Compare_OrdersByNuGetRules_WhenVersionsAreValid(string a, string b, int expected)
    {
        Math.Sign(Scheme.Compare(a, b)).ShouldBe(expected);
        Math.Sign(Scheme.Compare(b, a)).ShouldBe(-expected);
    }

    [Theory]
    [InlineData("1.0", "1.0.0")]
    [InlineData("1.0.0.0", "1.0.0")]
    [InlineData("1.2.3.4-Beta", "1.2.3.4-Beta")]
    public void TryParse_Normalizes_WhenVersionIsValid(string version, string normalized)
    {
        Scheme.TryParse(version, out var result).ShouldBeTrue();
        result.ShouldBe(normalized);
    }

    [Theory]
    [InlineData("1.0.0.0.0")]
    [InlineData("one")]
    [InlineData("")]
    public void TryParse_ReturnsFalse_WhenVersionIsNotNuGet(string version)
    {
        Scheme.TryParse(version, out _).ShouldBeFalse();
    }
}
