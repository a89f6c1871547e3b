using System.Text;
using HangfireApp.Workers.Rows;

namespace HangfireApp.UnitTests.Rows;

public sealed class CsvOutputWriterTests
{
    [Fact]
    public void WriteRow_WritesInputThenAddedThenError_WhenRowsAreWritten()
    {
        using var text = new StringWriter();
        using (var writer = new CsvOutputWriter(text, ["email", "name"], ["score", "company"], leaveOpen: true))
        {
            writer.WriteRow(["a@x.com", "Ann"], new Dictionary<string, string?> { ["company"] = "X, Inc.", ["score"] = "7" }, null);
            writer.WriteRow(["b@x.com", "Bob \"B\""], null, "HTTP 404");
            writer.WriteRow(["c@x.com", "line1\nline2"], new Dictionary<string, string?> { ["score"] = null }, "");
        }

        text.ToString().ShouldBe(
            "email,name,score,company,error\r\n"
            + "a@x.com,Ann,7,\"X, Inc.\",\r\n"
            + "b@x.com,\"Bob \"\"B\"\"\",,,HTTP 404\r\n"
            + "c@x.com,\"line1\nline2\",,,\r\n");
    }

    [Fact]
    public async Task WriteRowAsync_StreamsUtf8WithDelimiter_WhenCreatedOnStream()
    {
        using var stream = new MemoryStream();
        await using (var writer = CsvOutputWriter.Create(stream, ["name"], ["city"], ';'))
        {
            await writer.WriteRowAsync(["Jürgen"], new Dictionary<string, string?> { ["city"] = "Köln; Nord" }, null);
            await writer.FlushAsync();
        }

        Encoding.UTF8.GetString(stream.ToArray()).ShouldBe("name;city;error\r\nJürgen;\"Köln; Nord\";\r\n");
        stream.CanWrite.ShouldBeTrue();
    }

    [Fact]
    public void WriteRow_RoundTripsThroughReader_WhenValuesNeedQuoting()
    {
        using var text = new StringWriter();
        using (var writer = new CsvOutputWriter(text, ["a"], [], leaveOpen: true))
        {
            writer.WriteRow(["x,\"y\"\r\nz"], null, "boom");
        }

        var table = CsvInput.Read(text.ToString());

        table.Headers.ShouldBe(["a", "error"]);
        table.Rows[0].Values.ShouldBe(["x,\"y\"\r\nz", "boom"]);
    }

    [Theory]
    [InlineData(new[] { "a", "b" }, new[] { "b" })]
    [InlineData(new[] { "a" }, new[] { "c", "c" })]
    [InlineData(new[] { "error" }, new string[0])]
    [InlineData(new[] { "a" }, new[] { "error" })]
    public void Constructor_Throws_WhenColumnsCollide(string[] input, string[] added)
    {
        using var text = new StringWriter();

        Should.Throw<ArgumentException>(() => new CsvOutputWriter(text, input, added, leaveOpen: true)).Message.ShouldContain("would appear twice");
    }

    [Fact]
    public void WriteRow_Throws_WhenInputValueCountIsWrong()
    {
        using var writer = new CsvOutputWriter(new StringWriter(), ["a", "b"], []);

        Should.Throw<ArgumentException>(() => writer.WriteRow(["1"], null, null)).Message.ShouldContain("Expected 2 input value(s), got 1");
    }

    [Fact]
    public void WriteRow_Throws_WhenAddedColumnIsUnknown()
    {
        using var writer = new CsvOutputWriter(new StringWriter(), ["a"], ["score"]);

        Should.Throw<ArgumentException>(() => writer.WriteRow(["1"], new Dictionary<string, string?> { ["scroe"] = "1" }, null))
            .Message.ShouldContain("No added column named scroe; added columns are: score");
    }
}
