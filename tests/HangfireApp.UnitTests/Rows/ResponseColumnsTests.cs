using System.Text.Json;
using HangfireApp.Workers.Rows;

namespace HangfireApp.UnitTests.Rows;

public sealed class ResponseColumnsTests
{
    private static readonly string[] Input = ["id", "name"];

    [Fact]
    public void Extract_FlattensObjects_WhenNoColumnsAreConfigured()
    {
        var columns = ResponseColumns.Extract("""{"a":{"b":{"c":1}},"s":"text","t":true,"n":null,"list":[1,{"x":2}],"empty":{},"name":"dup","error":"e"}""",
            looksLikeJson: true, configured: null, Input, maxColumns: 100);

        columns.ShouldBe(new Dictionary<string, string>
        {
            ["a.b.c"] = "1", ["s"] = "text", ["t"] = "true", ["n"] = "", ["list"] = """[1,{"x":2}]""", ["empty"] = "{}",
            ["response.name"] = "dup", ["response.error"] = "e",
        }, ignoreOrder: true);
    }

    [Theory]
    [InlineData("plain text", false, "plain text")]
    [InlineData("[1,2]", true, "[1,2]")]
    [InlineData("\"just a string\"", true, "just a string")]
    [InlineData("{not json", true, "{not json")]
    public void Extract_GivesOneResponseColumn_WhenTheBodyIsNotAnObject(string body, bool json, string expected)
    {
        ResponseColumns.Extract(body, json, null, Input, 100).ShouldBe(new Dictionary<string, string> { ["response"] = expected });
    }

    [Fact]
    public void Extract_StopsAtMaxColumns()
    {
        var body = JsonSerializer.Serialize(Enumerable.Range(0, 10).ToDictionary(i => $"k{i}", i => i));

        ResponseColumns.Extract(body, true, null, Input, maxColumns: 4).Count.ShouldBe(4);
    }

    [Fact]
    public void Extract_ReadsConfiguredPointers_AndFailsOnANonJsonBody()
    {
        RowsColumn[] configured = [new("city", "/address/city"), new("first", "/tags/0"), new("tilde", "/a~0b"), new("gone", "/tags/9"), new("all", "")];

        var columns = ResponseColumns.Extract("""{"address":{"city":"Oslo"},"tags":["x","y"],"a~b":3}""", true, configured, Input, 100);

        columns.ShouldBe(new Dictionary<string, string>
        {
            ["city"] = "Oslo", ["first"] = "x", ["tilde"] = "3", ["gone"] = "", ["all"] = """{"address":{"city":"Oslo"},"tags":["x","y"],"a~b":3}""",
        }, ignoreOrder: true);
        Should.Throw<FormatException>(() => ResponseColumns.Extract("<html>", false, configured, Input, 100));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("/a/0", true)]
    [InlineData("/a~1b/~0", true)]
    [InlineData("a", false)]
    [InlineData("/a~2", false)]
    [InlineData("/a~", false)]
    public void JsonPointer_IsValid_FollowsRfc6901(string text, bool valid) => JsonPointer.IsValid(text).ShouldBe(valid);

    [Theory]
    [InlineData("/list/01")]
    [InlineData("/list/-1")]
    [InlineData("/list/x")]
    [InlineData("/obj/missing")]
    public void JsonPointer_Resolve_IsNull_WhenNothingIsThere(string path)
    {
        using var document = JsonDocument.Parse("""{"list":[1,2],"obj":{}}""");

        JsonPointer.Resolve(document.RootElement, path).ShouldBeNull();
    }
}
