using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.UnitTests.Packages.Versions;

public sealed class SemVerSchemeTests
{
    [Theory]
    [InlineData("npm", "1.0.0-alpha", "1.0.0-alpha.1", -1)]
    [InlineData("npm", "1.0.0-alpha.1", "1.0.0-alpha.beta", -1)]
    [InlineData("npm", "1.0.0-alpha.beta", "1.0.0-beta", -1)]
    [InlineData("npm", "1.0.0-beta", "1.0.0-beta.2", -1)]
    [InlineData("npm", "1.0.0-beta.2", "1.0.0-beta.11", -1)]
    [InlineData("npm", "1.0.0-beta.11", "1.0.0-rc.1", -1)]
    [InlineData("npm", "1.0.0-rc.1", "1.0.0", -1)]
    [InlineData("npm", "1.0.0", "2.0.0", -1)]
    [InlineData("npm", "2.0.0", "2.1.0", -1)]
    [InlineData("npm", "2.1.0", "2.1.1", -1)]
    [InlineData("npm", "1.9.0", "1.10.0", -1)]
    [InlineData("npm", "1.0.0+build.1", "1.0.0+build.2", 0)]
    [InlineData("npm", "1.0.0-rc.1+sha.5114f85", "1.0.0-rc.1", 0)]
    [InlineData("npm", "v1.2.3", "1.2.3", 0)]
    [InlineData("npm", "4.17.11", "4.17.12", -1)]
    [InlineData("npm", "1.0.0-1", "1.0.0-alpha", -1)]
    [InlineData("npm", "1.0.0-alpha-1", "1.0.0-alpha", 1)]
    [InlineData("npm", "99999999999999999999.0.0", "99999999999999999998.0.0", 1)]
    [InlineData("crates.io", "0.6.13", "0.6.14", -1)]
    [InlineData("crates.io", "1.0.0-alpha.2", "1.0.0-alpha.10", -1)]
    [InlineData("crates.io", "1.6.1", "1.6.0", 1)]
    [InlineData("crates.io", "0.1.0-Beta", "0.1.0-alpha", -1)]
    public void Compare_OrdersBySemVerPrecedence_WhenVersionsAreValid(string ecosystem, string a, string b, int expected)
    {
        var scheme = VersionSchemes.Get(ecosystem);

        Math.Sign(scheme.Compare(a, b)).ShouldBe(expected);
        Math.Sign(scheme.Compare(b, a)).ShouldBe(-expected);
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.2.3.4")]
    [InlineData("01.2.3")]
    [InlineData("1.2.3-01")]
    [InlineData("1.2.3-")]
    [InlineData("1.2.3-alpha..1")]
    [InlineData("1.2.3+")]
    [InlineData("1.2.x")]
    [InlineData("")]
    [InlineData("latest")]
    public void TryParse_ReturnsFalse_WhenVersionIsNotSemVer(string version)
    {
        VersionSchemes.Get("npm").TryParse(version, out _).ShouldBeFalse();
    }

    [Theory]
    [InlineData("v1.2.3", "1.2.3")]
    [InlineData(" 1.0.0-rc.1+build ", "1.0.0-rc.1+build")]
    public void TryParse_Normalizes_WhenVersionIsValid(string version, string normalized)
    {
        VersionSchemes.Get("npm").TryParse(version, out var result).ShouldBeTrue();
        result.ShouldBe(normalized);
    }

    [Fact]
    public void Compare_Throws_WhenVersionIsInvalid()
    {
        Should.Throw<FormatException>(() => VersionSchemes.Get("crates.io").Compare("1.0", "1.0.0"));
    }

    [Fact]
    public void Operators_AgreeWithCompareTo_WhenBuildMetadataDiffers()
    {
        var a = SemVersion.Parse("1.0.0+a");
        var b = SemVersion.Parse("1.0.0+b");

        (a == b).ShouldBeTrue();
        a.GetHashCode().ShouldBe(b.GetHashCode());
        (SemVersion.Parse("1.0.0-rc.1") < a).ShouldBeTrue();
    }
}
