using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages.Osv;

public sealed class OsvMatcherTests
{
    [Theory]
    // lodash: introduced 0, fixed 4.17.12 (ECOSYSTEM, npm)
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "0.0.1", true)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "4.17.11", true)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "4.17.12-pre", true)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "4.17.12", false)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "4.17.21", false)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash-es", "4.17.11", true)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "Lodash", "4.17.11", false)]
    [InlineData("GHSA-jf85-cpcp-j695", "PyPI", "lodash", "4.17.11", false)]
    [InlineData("GHSA-jf85-cpcp-j695", "npm", "lodash", "not-a-version", false)]
    // Django: three ECOSYSTEM intervals plus an explicit list; the GIT range is ignored
    [InlineData("PYSEC-2021-98", "PyPI", "django", "1.11", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "Django", "2.2.23", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "DJANGO", "2.2.24", false)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "2.2.100", false)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.0", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.0.0", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.1.12", false)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.2rc1", false)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.2.0", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.2.3", true)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "3.2.4", false)]
    [InlineData("PYSEC-2021-98", "PyPI", "django", "4.0", false)]
    // Go: SEMVER range, versions with or without v, pseudo-versions
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "v0.3.7", true)]
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "0.3.7", true)]
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "v0.0.0-20170915032832-14c0d48ead0c", true)]
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "v0.3.8-0.20220901000000-abcdefabcdef", true)]
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "v0.3.8", false)]
    [InlineData("GO-2022-1059", "Go", "golang.org/x/text", "v0.14.0", false)]
    // smallvec: two SEMVER intervals, the gap between them is safe
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.2", false)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.3", true)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "0.6.14", false)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "0.7.0", false)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "1.0.0", true)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "1.6.0", true)]
    [InlineData("RUSTSEC-2021-0003", "crates.io", "smallvec", "1.6.1", false)]
    // System.Text.Encodings.Web: three affected entries, NuGet ids case-insensitive, NuGet equality
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "4.5.0", true)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "system.text.encodings.web", "4.5", true)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "4.5.1", false)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "4.7.1", true)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "5.0.0", true)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "5.0.1", false)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "6.0.0", false)]
    [InlineData("GHSA-ghhp-997w-qr28", "NuGet", "System.Text.Encodings.Web", "3.1.0", false)]
    public void IsAffected_FollowsOsvEvaluation_WhenRecordIsPublished(string id, string ecosystem, string name, string version, bool expected)
    {
        OsvMatcher.IsAffected(Fixtures.Record(id), new PackageRef(ecosystem, name, version)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("0.9.0", false)]
    [InlineData("1.0.0", true)]
    [InlineData("1.2.0", true)]
    [InlineData("1.2.1", false)]
    [InlineData("3.0.0", false)]
    public void IsAffected_IncludesLastAffected_WhenRangeUsesLastAffected(string version, bool expected)
    {
        var record = Record("""[{"introduced":"1.0.0"},{"last_affected":"1.2.0"}]""");

        OsvMatcher.IsAffected(record, new PackageRef("npm", "pkg", version)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("1.5.0", true)]
    [InlineData("2.0.0", false)]
    [InlineData("2.5.0", false)]
    public void IsAffected_StopsAtLimit_WhenRangeHasLimit(string version, bool expected)
    {
        var record = Record("""[{"introduced":"0"},{"limit":"2.0.0"}]""");

        OsvMatcher.IsAffected(record, new PackageRef("npm", "pkg", version)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("1.5.0", false)]
    [InlineData("2.5.0", true)]
    public void IsAffected_SortsEvents_WhenEventsAreOutOfOrder(string version, bool expected)
    {
        var record = Record("""[{"introduced":"2.0.0"},{"fixed":"1.2.0"},{"introduced":"1.0.0"}]""");

        OsvMatcher.IsAffected(record, new PackageRef("npm", "pkg", version)).ShouldBe(expected);
    }

    [Fact]
    public void IsAffected_ReturnsFalse_WhenRecordIsWithdrawn()
    {
        var record = Record("""[{"introduced":"0"}]""") with { Withdrawn = DateTimeOffset.UnixEpoch };

        OsvMatcher.IsAffected(record, new PackageRef("npm", "pkg", "1.0.0")).ShouldBeFalse();
    }

    [Fact]
    public void IsAffected_SkipsEvent_WhenEventVersionDoesNotParse()
    {
        var record = Record("""[{"introduced":"0"},{"fixed":"garbage"}]""");

        OsvMatcher.IsAffected(record, new PackageRef("npm", "pkg", "9.9.9")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("2.14.1", true)]
    [InlineData("2.15.0", false)]
    public void IsAffected_UsesVersionsListOnly_WhenEcosystemHasNoScheme(string version, bool expected)
    {
        var record = OsvParser.Parse("""
            {"id":"GHSA-jfh8-c2jp-5v3q","affected":[{"package":{"ecosystem":"Maven","name":"org.apache.logging.log4j:log4j-core"},
             "ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"2.0-beta9"},{"fixed":"2.15.0"}]}],
             "versions":["2.0-beta9","2.14.0","2.14.1"]}]}
            """).Single();

        OsvMatcher.IsAffected(record, new PackageRef("Maven", "org.apache.logging.log4j:log4j-core", version)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("PyPI", "Foo.Bar__baz", "foo-bar-baz")]
    [InlineData("PyPI", "zope.interface", "zope-interface")]
    [InlineData("PyPI", "Django", "django")]
    [InlineData("NuGet", "Newtonsoft.Json", "newtonsoft.json")]
    [InlineData("npm", "@Babel/Core", "@Babel/Core")]
    public void NormalizeName_FollowsEcosystemRules_WhenNameHasCaseOrSeparators(string ecosystem, string name, string expected)
    {
        OsvMatcher.NormalizeName(ecosystem, name).ShouldBe(expected);
    }

    [Fact]
    public void IsAffected_NormalizesPypiName_WhenNameUsesOtherSeparators()
    {
        var record = OsvParser.Parse("""{"id":"PYSEC-X","affected":[{"package":{"ecosystem":"PyPI","name":"zope.interface"},"versions":["5.0"]}]}""").Single();

        OsvMatcher.IsAffected(record, new PackageRef("PyPI", "Zope_Interface", "5.0.0")).ShouldBeTrue();
    }

    [Fact]
    public void Matching_ReturnsOnlyAffectingRecords_WhenGivenMany()
    {
        string[] ids = ["GHSA-jf85-cpcp-j695", "PYSEC-2021-98", "GO-2022-1059", "RUSTSEC-2021-0003", "GHSA-ghhp-997w-qr28"];
        var records = ids.Select(Fixtures.Record).ToList();

        OsvMatcher.Matching(records, new PackageRef("crates.io", "smallvec", "1.4.2")).Select(r => r.Id).ShouldBe(["RUSTSEC-2021-0003"]);
    }

    private static OsvRecord Record(string eventsJson) =>
        OsvParser.Parse($$"""{"id":"TEST-1","affected":[{"package":{"ecosystem":"npm","name":"pkg"},"ranges":[{"type":"ECOSYSTEM","events":{{eventsJson}}}]}]}""").Single();
}
