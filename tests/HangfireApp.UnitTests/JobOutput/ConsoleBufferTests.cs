using HangfireApp.Batches.JobOutput;

namespace HangfireApp.UnitTests.JobOutput;

public sealed class ConsoleBufferTests
{
    private static readonly DateTime Now = new(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

    [Fact]
    public void Drain_ReturnsLinesInOrder_AndEmptiesTheBuffer()
    {
        var buffer = new ConsoleBuffer(100, 100);
        buffer.Add(Now, "a", null).ShouldBe(1);
        buffer.Add(Now, "b", ConsoleTextColor.Red).ShouldBe(2);

        var batch = buffer.Drain(final: false, Now);

        batch.Lines.ShouldBe([new ConsoleLine(Now, null, "a"), new ConsoleLine(Now, ConsoleTextColor.Red, "b")]);
        buffer.Pending.ShouldBe(0);
        buffer.Drain(final: false, Now).IsEmpty.ShouldBeTrue();
    }

    [Fact]
    public void Add_OverTheCap_DropsAndNotesItOnce_ThenCountsAtTheEnd()
    {
        var buffer = new ConsoleBuffer(3, 100);
        for (var i = 0; i < 3; i++)
        {
            buffer.Add(Now, $"kept {i}", null);
        }
        buffer.Drain(final: false, Now).Lines.Count.ShouldBe(3); // the cap counts written lines too, not just waiting ones

        buffer.Add(Now, "dropped 1", null);
        buffer.Add(Now, "dropped 2", null);

        buffer.Dropped.ShouldBe(2);
        var batch = buffer.Drain(final: true, Now);
        batch.Lines.Select(l => l.Text).ShouldBe([
            "Console limit of 3 lines reached: further lines are dropped",
            "2 line(s) dropped over the limit of 3",
        ]);
        batch.Lines.ShouldAllBe(l => l.Color == ConsoleTextColor.Yellow);
    }

    [Fact]
    public void SetProgress_KeepsTheLatestValue_Clamped()
    {
        var buffer = new ConsoleBuffer(10, 100);
        buffer.SetProgress("items", 10);
        buffer.SetProgress("items", 20);
        buffer.SetProgress("over", 150);
        buffer.SetProgress("under", -3);
        buffer.SetProgress("nan", double.NaN);
        buffer.SetProgress(" ", 5);

        var progress = buffer.Drain(final: false, Now).Progress;

        progress.ShouldBe(new Dictionary<string, double> { ["items"] = 20, ["over"] = 100, ["under"] = 0, ["nan"] = 0, ["progress"] = 5 }, ignoreOrder: true);
        buffer.Drain(final: false, Now).Progress.ShouldBeEmpty(); // only changes are written again
    }

    [Theory]
    [InlineData("short", 10, "short")]
    [InlineData("exactly10!", 10, "exactly10!")]
    [InlineData("0123456789abc", 10, "0123456789… (3 more characters)")]
    public void Clip_CutsLongText_AndSaysHowMuch(string text, int max, string expected) =>
        ConsoleBuffer.Clip(text, max).ShouldBe(expected);

    [Fact]
    public void Clip_NeverSplitsASurrogatePair()
    {
        var text = "123456789" + "😀" + "tail"; // the emoji takes positions 9 and 10

        ConsoleBuffer.Clip(text, 10).ShouldBe("123456789… (6 more characters)");
    }

    [Fact]
    public void Clean_ReplacesNulCharacters_WhichPostgreSqlCannotStore()
    {
        ConsoleBuffer.Clean("a\0b", 100).ShouldBe("a\uFFFDb");
        ConsoleBuffer.Clean(null, 100).ShouldBe("");
    }

    [Fact]
    public async Task Add_FromManyThreads_LosesNothing()
    {
        var buffer = new ConsoleBuffer(1_000_000, 100);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                buffer.Add(Now, $"{t}:{i}", null);
            }
        })));

        var lines = buffer.Drain(final: true, Now).Lines;

        lines.Count.ShouldBe(80_000);
        lines.Select(l => l.Text).Distinct().Count().ShouldBe(80_000);
    }
}
