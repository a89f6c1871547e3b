using System.Text;
using HangfireApp.Batches.Input;

namespace HangfireApp.UnitTests.Input;

public sealed class JsonTextValidatorTests
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { """{"description":"a\u0000b"}""", "description", "NUL" },
        { """{"items":[{},{"key":"\u0000"}]}""", "items[1].key", "NUL" },
        { """{"items":[{"a\u0000":1}]}""", "items[0]", "property name" },
        { """{"description":"x\ud800y"}""", "description", "surrogate" },
        { """{"description":"\udc00"}""", "description", "surrogate" },
        { """{"d":"\ude00\ud83d"}""", "d", "surrogate" },
        { """["ok","\u0000"]""", "[1]", "NUL" },
        { "\"\\u0000\"", "$", "NUL" },
        { """{"a":{"b":[1,2,{"c":"\u0000"}]}}""", "a.b[2].c", "NUL" },
        { """{"a":1,"b":""", "b", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Validate_NamesTheFieldAndTheProblem(string json, string path, string message)
    {
        var bytes = Encoding.UTF8.GetBytes(json);

        var problem = JsonTextValidator.Validate(bytes).ShouldNotBeNull();
        var streamed = (await JsonTextValidator.ValidateAsync(new MemoryStream(bytes), cancellationToken: TestContext.Current.CancellationToken)).ShouldNotBeNull();

        problem.Path.ShouldBe(path);
        problem.Message.ShouldContain(message);
        streamed.ShouldBe(problem);
    }

    [Fact]
    public void Validate_RefusesInvalidUtf8_InValuesAndNames()
    {
        byte[] value = [.. "{\"a\":\"x"u8, 0xff, 0xfe, .. "\"}"u8];
        byte[] name = [.. "{\"a"u8, 0xc0, 0x80, .. "\":1}"u8];
        byte[] cesu = [.. "[\""u8, 0xed, 0xa0, 0x80, .. "\"]"u8];

        JsonTextValidator.Validate(value)!.Message.ShouldContain("UTF-8");
        JsonTextValidator.Validate(name)!.ShouldBe(new JsonTextProblem("$", "has a property name that is not valid UTF-8."));
        JsonTextValidator.Validate(cesu)!.Path.ShouldBe("[0]");
    }

    [Theory]
    [InlineData("""{"description":"tab\t newline\n emoji \ud83d\ude00 é ü 中文","items":[{"k":"\u0001"}]}""")]
    [InlineData("""[1, 2.5e300, -0, true, null, "", {}]""")]
    [InlineData("")]
    public void Validate_AcceptsValidText(string json) =>
        JsonTextValidator.Validate(Encoding.UTF8.GetBytes(json)).ShouldBeNull();

    [Fact]
    public void Validate_RefusesNestingDeeperThanTheLimit()
    {
        var deep = new string('[', 65) + new string(']', 65);

        JsonTextValidator.Validate(Encoding.UTF8.GetBytes(deep))!.Message.ShouldContain("depth");
        JsonTextValidator.Validate(Encoding.UTF8.GetBytes(new string('[', 64) + new string(']', 64))).ShouldBeNull();
    }

    [Fact]
    public async Task ValidateAsync_StreamsALargeDocument_WithTokensLargerThanItsBuffer()
    {
        var big = new string('x', 300_000);
        var items = string.Join(',', Enumerable.Range(0, 20_000).Select(i => $$"""{"n":{{i}},"s":"é{{i}}"}"""));
        var json = $$"""{"big":"{{big}}","items":[{{items}},{"s":"\u0000"}]}""";

        var problem = await JsonTextValidator.ValidateAsync(new MemoryStream(Encoding.UTF8.GetBytes(json)), cancellationToken: TestContext.Current.CancellationToken);

        problem.ShouldBe(new JsonTextProblem("items[20000].s", TextRules.NulMessage));
    }

    [Theory]
    [InlineData(new int[] { 'p', 'l', 'a', 'i', 'n' }, true)]
    [InlineData(new int[] { 'a', 0, 'b' }, false)]
    [InlineData(new int[] { 0xd83d, 0xde00 }, true)]
    [InlineData(new int[] { 0xd83d }, false)]
    [InlineData(new int[] { 'x', 0xde00 }, false)]
    [InlineData(new int[] { 0xd83d, 0xde00, 0xd83d }, false)]
    [InlineData(new int[] { 0xde00, 0xd83d }, false)]
    public void TextRules_RefuseNulAndLoneSurrogates(int[] utf16, bool valid) =>
        // UTF-16 code units, not a string constant: the compiler stores attribute strings as UTF-8, which mangles lone surrogates.
        TextRules.IsValid(new string(utf16.Select(unit => (char)unit).ToArray())).ShouldBe(valid);
}
