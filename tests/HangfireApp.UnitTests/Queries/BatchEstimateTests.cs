using HangfireApp.Batches.Queries;

namespace HangfireApp.UnitTests.Queries;

public sealed class BatchEstimateTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData(2, 1, 20)]              // {"items":[{},{"delayMs":45000}]} 20 s in: 0.05/s shown as 0.1, the ETA from 0.05
    [InlineData(1000, 1, 86_400)]       // rate rounds to 0.0
    [InlineData(2, 1, 30 * 86_400)]     // a batch active for a month
    [InlineData(int.MaxValue, 1, 1e9)]  // far beyond what a TimeSpan holds
    public void Of_NeverThrows_AndAnswersAnEtaOrUnknown_WhenTheRateIsTiny(long total, long done, double secondsRunning)
    {
        var (rate, eta) = BatchEstimate.Of(total, done, TimeSpan.FromSeconds(secondsRunning), final: false);

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
        var (rate, eta) = BatchEstimate.Of(total: 2, done: 1, TimeSpan.FromSeconds(40), final: false);

        rate.ShouldBe(0); // 0.025/s shows as 0.0
        eta.ShouldBe(TimeSpan.FromSeconds(40));
    }

    [Fact]
    public void Of_IsUnknownUntilAnItemIsDone_AndZeroOnceFinal()
    {
        BatchEstimate.Of(10, 0, TimeSpan.FromSeconds(5), final: false).ShouldBe((null, null));
        BatchEstimate.Of(10, 3, activeTime: null, final: false).ShouldBe((null, null));
        BatchEstimate.Of(10, 10, TimeSpan.FromDays(400), final: true).Eta.ShouldBe(TimeSpan.Zero);
        BatchEstimate.Of(10, 10, TimeSpan.FromDays(400), final: false).Eta.ShouldBe(TimeSpan.Zero);
        BatchEstimate.Of(10, 4, TimeSpan.FromSeconds(2), final: true).ShouldBe((2.0, TimeSpan.Zero));
    }

    [Fact]
    public void ActiveTime_IsTheEndedRunsPlusTheOpenOne_AndNullBeforeTheFirstStart()
    {
        BatchEstimate.ActiveTime(0, runStartedAt: null, Now).ShouldBeNull();
        BatchEstimate.ActiveTime(0, Now.AddSeconds(-3), Now).ShouldBe(TimeSpan.FromSeconds(3));
        // A rerun 30 days after a first run of 12 s: the month between them does not count.
        BatchEstimate.ActiveTime(12, Now.AddSeconds(-3), Now).ShouldBe(TimeSpan.FromSeconds(15));
        BatchEstimate.ActiveTime(12, runStartedAt: null, Now).ShouldBe(TimeSpan.FromSeconds(12));
        // Odd rows (clocks of two hosts, hand edits) never throw.
        BatchEstimate.ActiveTime(-5, Now.AddSeconds(5), Now).ShouldBe(TimeSpan.Zero);
        BatchEstimate.ActiveTime(double.MaxValue, null, Now).ShouldNotBeNull();
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
