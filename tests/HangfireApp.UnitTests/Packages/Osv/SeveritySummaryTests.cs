using HangfireApp.Workers.Packages.Osv;

namespace HangfireApp.UnitTests.Packages.Osv;

public sealed class SeveritySummaryTests
{
    [Theory]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:H/A:H", 9.1)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N", 6.1)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:L/I:L/A:N", 5.4)]
    [InlineData("CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N", 5.9)]
    [InlineData("CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 7.5)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9)]
    [InlineData("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6)]
    [InlineData("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:N", 0.0)]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8)]
    public void TryBaseScore_ComputesCvss31Score_WhenVectorIsValid(string vector, double expected)
    {
        Cvss3.TryBaseScore(vector, out var score).ShouldBeTrue();
        score.ShouldBe(expected);
    }

    [Theory]
    [InlineData("CVSS:2.0/AV:N/AC:L/Au:N/C:P/I:P/A:P")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H")]
    [InlineData("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H")]
    [InlineData("CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")]
    [InlineData("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N")]
    [InlineData("")]
    public void TryBaseScore_ReturnsFalse_WhenVectorIsNotV3Base(string vector)
    {
        Cvss3.TryBaseScore(vector, out _).ShouldBeFalse();
    }

    [Fact]
    public void Rate_PrefersDatabaseLabel_WhenGitHubReviewed()
    {
        var rating = SeveritySummary.Rate(Fixtures.Record("GHSA-jf85-cpcp-j695"));

        rating.ShouldBe(new SeverityRating(SeverityLevel.Critical, 9.1, "database_specific"));
    }

    [Theory]
    [InlineData("""{"id":"A","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N"}]}""", SeverityLevel.Moderate, 6.1)]
    [InlineData("""{"id":"A","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H"}]}""", SeverityLevel.High, 7.8)]
    [InlineData("""{"id":"A","severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"}]}""", SeverityLevel.Low, 1.6)]
    [InlineData("""{"id":"A","affected":[{"severity":[{"type":"CVSS_V3","score":"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}]}]}""", SeverityLevel.Critical, 9.8)]
    [InlineData("""{"id":"A","severity":[{"type":"CVSS_V2","score":"7.5"}]}""", SeverityLevel.High, 7.5)]
    public void Rate_UsesHighestCvssScore_WhenNoDatabaseLabel(string json, SeverityLevel level, double score)
    {
        var rating = SeveritySummary.Rate(OsvParser.Parse(json).Single());

        rating.Level.ShouldBe(level);
        rating.Score.ShouldBe(score);
    }

    [Theory]
    [InlineData("""{"id":"A","database_specific":{"severity":"MEDIUM"}}""", SeverityLevel.Moderate)]
    [InlineData("""{"id":"A","database_specific":{"severity":"low"}}""", SeverityLevel.Low)]
    [InlineData("""{"id":"A","database_specific":{"severity":"UNKNOWN"}}""", SeverityLevel.Unknown)]
    [InlineData("""{"id":"A","database_specific":{"severity":3}}""", SeverityLevel.Unknown)]
    [InlineData("""{"id":"A"}""", SeverityLevel.Unknown)]
    public void Rate_ReadsLabel_WhenDatabaseSpecificVaries(string json, SeverityLevel expected)
    {
        SeveritySummary.Rate(OsvParser.Parse(json).Single()).Level.ShouldBe(expected);
    }
}
