using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages.Osv;

/// <summary>Issue 9 point 5: records the parser let through and the matcher or PostgreSQL then failed on.</summary>
public sealed class OsvValidationTests
{
    private const string Package = """{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.0.0"}]}]}""";

    [Theory]
    [InlineData("""{"id":"X-1","affected":[null]}""", "affected[0] is null")]
    [InlineData("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[null]}]}""", "affected[0].ranges[0] is null")]
    [InlineData("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"CALVER","events":[{"introduced":"0"}]}]}]}""", "type 'CALVER' is not one of")]
    [InlineData("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[null]}]}]}""", "events need one of")]
    [InlineData("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"SEMVER","events":[{}]}]}]}""", "events need one of")]
    [InlineData("""{"id":"X-1","affected":[{"package":{"ecosystem":"npm","name":"x"},"versions":[null]}]}""", "versions must not hold null")]
    [InlineData("""{"id":"X-1","aliases":[null]}""", "aliases must not hold null")]
    [InlineData("""{"id":"X-1","severity":[null]}""", "severity entries need")]
    [InlineData("""{"id":"X-1","summary":"a\u0000b"}""", "summary must not contain the NUL character")]
    [InlineData("""{"id":"X-\u0000"}""", "id must not contain the NUL character")]
    [InlineData("""{"id":"X-1","details":"\ud800"}""", "details is not valid UTF-8 or holds a lone surrogate")]
    [InlineData("""{"id":" "}""", "id must not be empty")]
    public void Parse_RefusesWhatTheMatcherOrTheDatabaseCannotUse(string json, string message)
    {
        var refused = Should.Throw<OsvFormatException>(() => OsvParser.Parse(json));

        refused.Message.ShouldContain(message);
    }

    [Fact]
    public void Parse_AcceptsTheSchemasRangeTypes()
    {
        var record = OsvParser.Parse($$"""{"id":"X-1","affected":[{{Package}},{"package":{"ecosystem":"Go","name":"y"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"last_affected":"1.2"}]},{"type":"GIT","repo":"https://example.com/r","events":[{"introduced":"abc"},{"limit":"def"}]}]}]}""").Single();

        record.Affected.Count.ShouldBe(2);
    }
}
