using HangfireApp.Batches.JobOutput;

namespace HangfireApp.UnitTests.JobOutput;

public sealed class ProgressEnumerationTests
{
    private sealed class RecordingBar : IProgressBar
    {
        public List<double> Values { get; } = [];

        public void Set(double percent) => Values.Add(percent);
    }

    [Fact]
    public void WithProgress_AdvancesTheBarPerItem_UsingTheCollectionsCount()
    {
        var bar = new RecordingBar();

        string[] letters = ["a", "b", "c", "d"];

        var seen = letters.WithProgress(bar).ToList();

        seen.ShouldBe(["a", "b", "c", "d"]);
        bar.Values.ShouldBe([0, 25, 50, 75, 100, 100]);
    }

    [Fact]
    public void WithProgress_WithoutAKnownCount_JumpsTo100AtTheEnd()
    {
        var bar = new RecordingBar();

        Enumerable.Range(0, 3).Where(i => i >= 0).WithProgress(bar).Count().ShouldBe(3);

        bar.Values.ShouldBe([0, 100]);
    }

    [Fact]
    public void WithProgress_WithAGivenCount_NeverPassesIt()
    {
        var bar = new RecordingBar();

        Enumerable.Range(0, 4).Where(i => i >= 0).WithProgress(bar, count: 2).Count().ShouldBe(4);

        bar.Values.ShouldBe([0, 50, 100, 100, 100, 100]);
    }

    [Fact]
    public void WithProgress_IsLazy_LikeAnyEnumeration()
    {
        var bar = new RecordingBar();

        List<int> numbers = [1, 2];

        _ = numbers.WithProgress(bar);

        bar.Values.ShouldBeEmpty();
    }

    [Fact]
    public async Task WithProgress_Async_AdvancesPerItem()
    {
        var bar = new RecordingBar();
        var seen = new List<int>();

        await foreach (var item in Numbers().WithProgress(bar, 2))
        {
            seen.Add(item);
        }

        seen.ShouldBe([1, 2]);
        bar.Values.ShouldBe([0, 50, 100, 100]);
    }

    private static async IAsyncEnumerable<int> Numbers()
    {
        await Task.Yield();
        yield return 1;
        yield return 2;
    }
}
