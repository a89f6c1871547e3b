using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages.Osv;

public sealed class OsvNullListsTests
{
    [Fact]
    public void Parse_TreatsExplicitNullListsAsEmpty_SoMatchingDoesNotThrow()
    {
        const string json = """
            {"id":"TEST-1","modified":"2024-01-01T00:00:00Z","aliases":null,
             "affected":[{"package":{"ecosystem":"npm","name":"left-pad"},"versions":null,
                          "ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.3.0"}]}]}]}
            """;

        var record = OsvParser.Parse(json).ShouldHaveSingleItem();

        record.Aliases.ShouldBeEmpty();
        record.Affected[0].Versions.ShouldBeEmpty();
        OsvMatcher.IsAffected(record, new PackageRef("npm", "left-pad", "1.2.0")).ShouldBeTrue();
        OsvMatcher.IsAffected(record, new PackageRef("npm", "left-pad", "1.3.0")).ShouldBeFalse();
    }
}
