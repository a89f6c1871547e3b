using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.UnitTests.Packages.Versions;

public sealed class GoVersionSchemeTests
{
    private static readonly IVersionScheme Scheme = VersionSchemes.Get("Go");

    [Theory]
    [InlineData("v1.2.3", "1.2.3", 0)]
    [InlineData("v0.3.7", "v0.3.8", -1)]
    [InlineData("0.3.8", "v0.3.8", 0)]
    [InlineData("v2.0.0+incompatible", "v2.0.0", 0)]
    [InlineData("v2.0.0+incompatible", "v2.0.1+incompatible", -1)]
    [InlineData("v0.0.0-20191109021931-daa7c04131f5", "v0.0.1", -1)]
    [InlineData("v0.0.0-20191109021931-daa7c04131f5", "v0.0.0-20200323222414-85ca7c5b95cd", -1)]
    [InlineData("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.3", 1)]
    [InlineData("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4", -1)]
    [InlineData("v1.2.4-0.20191109021931-daa7c04131f5", "v1.2.4-pre", -1)]
    [InlineData("v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre", 1)]
    [InlineData("v1.2.4-pre.0.20191109021931-daa7c04131f5", "v1.2.4-pre.1", -1)]
    [InlineData("v1.10.0", "v1.9.9", 1)]
    [InlineData("v0.0.0-20220101000000-aaaaaaaaaaaa", "v0.0.0-20211231235959-ffffffffffff", 1)]
    [InlineData("v1.0.0-rc.1", "v1.0.0", -1)]
    [InlineData("v2.3.4+incompatible", "v2.3.4-rc.1+incompatible", 1)]
    public void Compare_OrdersAsSemVer_WhenVersionsAreModuleVersions(string a, string b, int expected)
    {
        Math.Sign(Scheme.Compare(a, b)).ShouldBe(expected);
        Math.Sign(Scheme.Compare(b, a)).ShouldBe(-expected);
    }

    [Theory]
    [InlineData("1.2.3", "v1.2.3")]
    [InlineData("v2.0.0+incompatible", "v2.0.0+incompatible")]
    public void TryParse_AddsVPrefix_WhenVersionIsValid(string version, string normalized)
    {
        Scheme.TryParse(version, out var result).ShouldBeTrue();
        result.ShouldBe(normalized);
    }

    [Theory]
    [InlineData("v1.2")]
    [InlineData("v1")]
    [InlineData("master")]
    public void TryParse_ReturnsFalse_WhenVersionIsNotCanonical(string version)
    {
        Scheme.TryParse(version, out _).ShouldBeFalse();
    }
}
