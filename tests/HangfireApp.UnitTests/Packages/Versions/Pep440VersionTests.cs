using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.UnitTests.Packages.Versions;

public sealed class Pep440VersionTests
{
    private static readonly IVersionScheme Scheme = VersionSchemes.Get("PyPI");

    [Theory]
    [InlineData("1.0.dev0", "1.0a1", -1)]
    [InlineData("1.0a1", "1.0b2.post1", -1)]
    [InlineData("1.0b2.post1", "1.0rc1", -1)]
    [InlineData("1.0rc1", "1.0", -1)]
    [InlineData("1.0", "1.0.post1", -1)]
    [InlineData("1.0", "1.0.0", 0)]
    [InlineData("1.0", "1.0.0.0.0", 0)]
    [InlineData("1.0a1.dev1", "1.0a1", -1)]
    [InlineData("1.0b2.post1.dev1", "1.0b2.post1", -1)]
    [InlineData("1.0b2", "1.0b2.post1", -1)]
    [InlineData("1.0.post1.dev1", "1.0.post1", -1)]
    [InlineData("1.0", "1.0.post1.dev1", -1)]
    [InlineData("1.0.post1", "1.1.dev1", -1)]
    [InlineData("1!0.1", "2.0", 1)]
    [InlineData("1!1.0", "2!0.1", -1)]
    [InlineData("0!1.0", "1.0", 0)]
    [InlineData("1.0", "1.0+local", -1)]
    [InlineData("1.0+abc", "1.0+5", -1)]
    [InlineData("1.0+abc.5", "1.0+abc.10", -1)]
    [InlineData("1.0+ubuntu.1", "1.0+ubuntu.1.1", -1)]
    [InlineData("1.0+local", "1.0.post1", -1)]
    [InlineData("2.2.24", "2.2.3", 1)]
    [InlineData("1.10", "1.9", 1)]
    [InlineData("1.0alpha1", "1.0a1", 0)]
    [InlineData("1.0c1", "1.0rc1", 0)]
    [InlineData("1.0.preview1", "1.0rc1", 0)]
    [InlineData("1.0-r4", "1.0.post4", 0)]
    [InlineData("1.0-4", "1.0.post4", 0)]
    [InlineData("1.0.post", "1.0.post0", 0)]
    [InlineData("1.0a", "1.0a0", 0)]
    [InlineData("v1.0", "1.0", 0)]
    [InlineData("1.0RC1", "1.0rc1", 0)]
    [InlineData("1.0-dev", "1.0.dev0", 0)]
    public void Compare_OrdersByPep440_WhenVersionsAreValid(string a, string b, int expected)
    {
        Math.Sign(Scheme.Compare(a, b)).ShouldBe(expected);
        Math.Sign(Scheme.Compare(b, a)).ShouldBe(-expected);
    }

    [Theory]
    [InlineData("1.0ALPHA1", "1.0a1")]
    [InlineData("1.0-beta.2", "1.0b2")]
    [InlineData("1.0c3", "1.0rc3")]
    [InlineData("1.0.pre", "1.0rc0")]
    [InlineData("1.0-r", "1.0.post0")]
    [InlineData("1.0-5", "1.0.post5")]
    [InlineData("1.0_rev_3", "1.0.post3")]
    [InlineData("1.0-DEV2", "1.0.dev2")]
    [InlineData("1!2.0rc1.post3.dev4+Ubuntu-1", "1!2.0rc1.post3.dev4+ubuntu.1")]
    [InlineData(" v01.002 ", "1.2")]
    [InlineData("0!1.0", "1.0")]
    public void ToString_GivesNormalForm_WhenSpellingIsAlternative(string version, string normal)
    {
        Pep440Version.Parse(version).ToString().ShouldBe(normal);
        Scheme.TryParse(version, out var normalized).ShouldBeTrue();
        normalized.ShouldBe(normal);
    }

    [Theory]
    [InlineData("1.0-")]
    [InlineData("1.0+")]
    [InlineData("1.0+local_")]
    [InlineData("french toast")]
    [InlineData("1.0.x")]
    [InlineData("1.0a1a2")]
    [InlineData("")]
    [InlineData("1.0+local version")]
    public void TryParse_ReturnsFalse_WhenVersionIsNotPep440(string version)
    {
        Scheme.TryParse(version, out _).ShouldBeFalse();
    }

    [Fact]
    public void Equals_IgnoresTrailingZeros_WhenReleasesDifferInLength()
    {
        var a = Pep440Version.Parse("1.0");
        var b = Pep440Version.Parse("1.0.0");

        (a == b).ShouldBeTrue();
        a.GetHashCode().ShouldBe(b.GetHashCode());
    }

    [Fact]
    public void Sort_GivesPepOrder_WhenVersionsAreShuffled()
    {
        string[] expected = ["1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0", "1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1"];
        var shuffled = expected.Reverse().ToList();

        shuffled.Sort(Scheme.Compare);

        shuffled.ShouldBe(expected);
    }
}
