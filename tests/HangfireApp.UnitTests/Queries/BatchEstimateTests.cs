using HangfireApp.Batches.Queries;

namespace HangfireApp.UnitTests.Queries;

public sealed class BatchEstimateTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(2, 1, 20)]              // {"items":[{},{"delayMs":45000}]} 20 s in: 0.05/s shown as 0.1, the ETA from 0.05
    [InlineData(1000, 1, 86_400)]       // rate rounds to 0.0
    [InlineData(2, 1, 30 * 86_400)]     // a rerun of a month-old batch: started_at is the first run's
    [InlineData(int.MaxValue, 1, 1e9)]  // far beyond what a TimeSpan holds
    public void Of_NeverThrows_AndAnswersAnEtaOrUnknown_WhenTheRateIsTiny(long total, long done, double secondsRunning)
    {
        var (rate, eta) = BatchEstimate.Of(total, done, Now.AddSeconds(-secondsRunning), finishedAt: null, Now);

        rate.ShouldNotBeNull();
        if (eta is { } left)
        {
            left.ShouldBeGreaterThan(TimeSpan.Zero);
            left.ShouldBeLessThanOrEqualTo(BatchEstimate.Longest);
        }
    }

    [Fact]
    public void Of_UsesTheUnroundedRate_ForTheEta()
    {
        var (rate, eta) = BatchEstimate.Of(total: 2, done: 1, Now.AddSeconds(-40), finishedAt: null, Now);

        rate.ShouldBe(0); // 0.025/s shows as 0.0
        eta.ShouldBe(TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void Of_IsUnknownUntilAnItemIsDone_AndZeroOnceFinal()
    {
        BatchEstimate.Of(10, 0, Now.AddSeconds(-5), null, Now).ShouldBe((null, null));
        BatchEstimate.Of(10, 3, null, null, Now).ShouldBe((null, null));
        BatchEstimate.Of(10, 10, Now.AddDays(-400), Now, Now).Eta.ShouldBe(TimeSpan.Zero);
        BatchEstimate.Of(10, 10, Now.AddDays(-400), null, Now).Eta.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData(5, 0)]
    [InlineData(5, double.NaN)]
    [InlineData(5, double.PositiveInfinity)]
    [InlineData(5, -1)]
    [InlineData(long.MaxValue, double.Epsilon)]
    public void Remaining_IsUnknown_WhenTheRateSaysNothing(long items, double rate) =>
        BatchEstimate.Remaining(items, rate).ShouldBeNull();
}
