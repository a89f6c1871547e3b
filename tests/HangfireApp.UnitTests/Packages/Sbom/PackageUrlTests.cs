using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Sbom;

namespace HangfireApp.UnitTests.Packages.Sbom;

public sealed class PackageUrlTests
{
    [Theory]
    [InlineData("pkg:npm/%40scope/name@1.2.3", "npm", "@scope/name", "1.2.3")]
    [InlineData("pkg:npm/@babel/core@7.22.5", "npm", "@babel/core", "7.22.5")]
    [InlineData("pkg:npm/lodash@4.17.11", "npm", "lodash", "4.17.11")]
    [InlineData("pkg:NPM/lodash@4.17.11?vcs_url=x#lib/index.js", "npm", "lodash", "4.17.11")]
    [InlineData("pkg:pypi/django@3.2.3", "PyPI", "django", "3.2.3")]
    [InlineData("pkg:pypi/zope.interface@5.4.0?file_name=zope.interface-5.4.0.tar.gz", "PyPI", "zope.interface", "5.4.0")]
    [InlineData("pkg:nuget/Newtonsoft.Json@13.0.1", "NuGet", "Newtonsoft.Json", "13.0.1")]
    [InlineData("pkg:cargo/smallvec@1.6.0", "crates.io", "smallvec", "1.6.0")]
    [InlineData("pkg:golang/golang.org/x/text@v0.3.7", "Go", "golang.org/x/text", "v0.3.7")]
    [InlineData("pkg:golang/github.com/gorilla/mux@v1.8.0#mux", "Go", "github.com/gorilla/mux", "v1.8.0")]
    [InlineData("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar", "Maven", "org.apache.logging.log4j:log4j-core", "2.14.1")]
    [InlineData("pkg://npm/left-pad@1.3.0", "npm", "left-pad", "1.3.0")]
    [InlineData("pkg:npm/name@1.0.0%2Bbuild.1", "npm", "name", "1.0.0+build.1")]
    [InlineData("pkg:golang/example.com/a%20b@v1.0.0", "Go", "example.com/a b", "v1.0.0")]
    public void ToPackageRef_MapsToOsvEcosystem_WhenTypeIsSupported(string text, string ecosystem, string name, string version)
    {
        PackageUrl.TryParse(text, out var purl).ShouldBeTrue();

        purl.ToPackageRef().ShouldBe(new PackageRef(ecosystem, name, version));
    }

    [Fact]
    public void TryParse_SplitsNamespace_WhenPurlHasSeveralSegments()
    {
        PackageUrl.TryParse("pkg:golang/github.com/gorilla/mux@v1.8.0", out var purl).ShouldBeTrue();

        purl.ShouldBe(new PackageUrl("golang", "github.com/gorilla", "mux", "v1.8.0"));
    }

    [Theory]
    [InlineData("pkg:npm/@babel/core")]
    [InlineData("pkg:npm/lodash")]
    [InlineData("pkg:deb/ubuntu/openssl@3.0.2")]
    [InlineData("pkg:gem/rails@7.0.0")]
    public void ToPackageRef_ReturnsNull_WhenNoVersionOrUnsupportedType(string text)
    {
        PackageUrl.TryParse(text, out var purl).ShouldBeTrue();

        purl.ToPackageRef().ShouldBeNull();
    }

    [Theory]
    [InlineData("npm/lodash@1.0.0")]
    [InlineData("pkg:lodash")]
    [InlineData("pkg:")]
    [InlineData("https://example.com/x")]
    public void TryParse_ReturnsFalse_WhenNotAPurl(string text)
    {
        PackageUrl.TryParse(text, out _).ShouldBeFalse();
    }
}
