using HangfireApp.Workers.Packages.Versions;

namespace HangfireApp.UnitTests.Packages.Versions;

public sealed class VersionSchemesTests
{
    [Theory]
    [InlineData("npm", "npm")]
    [InlineData("crates.io", "crates.io")]
    [InlineData("NuGet", "NuGet")]
    [InlineData("pypi", "PyPI")]
    [InlineData("Go", "Go")]
    public void Get_FindsScheme_WhenEcosystemIsSupported(string name, string ecosystem)
    {
        VersionSchemes.Get(name).Ecosystem.ShouldBe(ecosystem);
    }

    [Fact]
    public void Get_ThrowsNotSupported_WhenEcosystemIsUnknown()
    {
        var e = Should.Throw<NotSupportedException>(() => VersionSchemes.Get("Maven"));

        e.Message.ShouldContain("Maven");
        e.Message.ShouldContain("PyPI");
        VersionSchemes.TryGet("Maven", out _).ShouldBeFalse();
    }
}
