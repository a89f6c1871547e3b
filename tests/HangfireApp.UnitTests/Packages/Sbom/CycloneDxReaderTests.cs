using System.Text;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Sbom;

namespace HangfireApp.UnitTests.Packages.Sbom;

public sealed class CycloneDxReaderTests
{
    [Fact]
    public void Read_ReturnsDistinctPackagesInOrder_WhenComponentsAreNested()
    {
        var result = CycloneDxReader.Read(Fixtures.Text("cyclonedx-sbom.json"));

        result.Packages.ShouldBe(
        [
            new PackageRef("npm", "lodash", "4.17.11"),
            new PackageRef("npm", "@babel/core", "7.22.5"),
            new PackageRef("npm", "semver", "6.3.0"),
            new PackageRef("PyPI", "django", "3.2.3"),
            new PackageRef("NuGet", "Newtonsoft.Json", "13.0.1"),
            new PackageRef("crates.io", "smallvec", "1.6.0"),
            new PackageRef("Go", "golang.org/x/text", "v0.3.7"),
            new PackageRef("Maven", "org.apache.logging.log4j:log4j-core", "2.14.1"),
            new PackageRef("npm", "left-pad-versioned", "1.3.0"),
        ]);
    }

    [Fact]
    public void Read_ReportsSkippedComponents_WhenPurlIsMissingInvalidUnsupportedOrUnversioned()
    {
        var result = CycloneDxReader.Read(Fixtures.Text("cyclonedx-sbom.json"));

        result.Skipped.Select(s => (s.Name, s.Reason)).ShouldBe(
        [
            ("openssl", "unsupported purl type 'deb'"),
            ("vendored-thing", "no purl"),
            ("left-pad", "no version"),
            ("broken", "invalid purl"),
        ]);
    }

    [Fact]
    public async Task ReadAsync_ReadsStream_WhenSbomIsUtf8()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("""{"bomFormat":"CycloneDX","specVersion":"1.4","components":[{"type":"library","name":"x","purl":"pkg:cargo/x@0.1.0"}]}"""));

        var result = await CycloneDxReader.ReadAsync(stream);

        result.Packages.ShouldBe([new PackageRef("crates.io", "x", "0.1.0")]);
    }

    [Theory]
    [InlineData("""{"bomFormat":"SPDX"}""")]
    [InlineData("""[]""")]
    public void Read_ThrowsFormatException_WhenNotCycloneDx(string json)
    {
        Should.Throw<FormatException>(() => CycloneDxReader.Read(json));
    }

    [Fact]
    public void Read_ReturnsEmpty_WhenBomHasNoComponents()
    {
        var result = CycloneDxReader.Read("""{"bomFormat":"CycloneDX","specVersion":"1.5"}""");

        result.Packages.ShouldBeEmpty();
        result.Skipped.ShouldBeEmpty();
    }
}
