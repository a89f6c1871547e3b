using System.Text;
using HangfireApp.Workers.Rows;

namespace HangfireApp.UnitTests.Rows;

public sealed class CsvInputTests
{
    [Theory]
    [InlineData("email,name\na@x.com,Ann\n", ',')]
    [InlineData("email;name\na@x.com;Ann\n", ';')]
    [InlineData("email\tname\na@x.com\tAnn\n", '\t')]
    [InlineData("email|name\na@x.com|Ann\n", '|')]
    [InlineData("\"e,mail\";name\na;Ann\n", ';')]
    [InlineData("a;b,c;d\n1;2,3;4\n", ';')]
    [InlineData("a,b;c\n1,2;3\n", ',')]
    [InlineData("email\na@x.com\n", ',')]
    public void Read_DetectsDelimiter_WhenHeaderUsesIt(string text, char delimiter)
    {
        var table = CsvInput.Read(text);

        table.Delimiter.ShouldBe(delimiter);
        table.Rows.ShouldHaveSingleItem().Values.Count.ShouldBe(table.Headers.Count);
    }

    [Fact]
    public void Read_KeepsQuotedDelimitersQuotesAndNewlines_WhenFieldsAreQuoted()
    {
        var table = CsvInput.Read("id,comment,tail\r\n1,\"a, b\",x\r\n2,\"she said \"\"hi\"\"\",y\r\n3,\"two\r\nlines\",z\r\n4,,\r\n");

        table.Headers.ShouldBe(["id", "comment", "tail"]);
        table.Rows.Select(r => r.Values[1]).ShouldBe(["a, b", "she said \"hi\"", "two\r\nlines", ""]);
        table.Rows.Select(r => r.LineNumber).ShouldBe([2, 3, 4, 6]);
    }

    [Fact]
    public void Read_SkipsBlankLinesAndCountsThem_WhenFileHasGaps()
    {
        var table = CsvInput.Read("a,b\n\n1,2\n\n\n3,4");

        table.Rows.Select(r => (r.LineNumber, r.Values[0])).ShouldBe([(3, "1"), (6, "3")]);
    }

    [Fact]
    public void Read_TrimsHeaderNames_WhenTheyHaveSpaces()
    {
        CsvInput.Read(" email , name \n1,2").Headers.ShouldBe(["email", "name"]);
    }

    [Fact]
    public void Read_UsesGivenDelimiter_WhenOptionSet()
    {
        var table = CsvInput.Read("a,b;c\n1,2;3", new CsvReadOptions { Delimiter = ';' });

        table.Headers.ShouldBe(["a,b", "c"]);
    }

    [Fact]
    public void ValuesOf_MapsHeadersToValues_WhenRowIsGiven()
    {
        var table = CsvInput.Read("email,name\na@x.com,Ann");

        table.ValuesOf(table.Rows[0]).ShouldBe(new Dictionary<string, string> { ["email"] = "a@x.com", ["name"] = "Ann" });
    }

    [Theory]
    [InlineData("", 1, "header row is required")]
    [InlineData("\n\n", 1, "header row is required")]
    [InlineData("a,b\n1,2\n3\n", 3, "the row has 1 field(s) but the header has 2")]
    [InlineData("a,b\n1,2,3\n", 2, "the row has 3 field(s) but the header has 2")]
    [InlineData("a,b\n1,x\"y\n", 2, "a quote inside the unquoted field")]
    [InlineData("a,b\n1,\"x\"y\n", 2, "text after the closing quote")]
    [InlineData("a,b\n1,2\n3,\"never\nclosed\n4,5\n", 3, "is never closed")]
    [InlineData("a,,c\n1,2,3\n", 1, "header column 2 has no name")]
    [InlineData("a,b,a\n1,2,3\n", 1, "header column 'a' appears more than once")]
    [InlineData("a,b\n\"multi\nline\",2\n1,2,3\n", 4, "the row has 3 field(s)")]
    public void Read_ThrowsWithLineNumber_WhenCsvIsMalformed(string text, int line, string message)
    {
        var e = Should.Throw<CsvInputException>(() => CsvInput.Read(text));

        e.LineNumber.ShouldBe(line);
        e.Message.ShouldStartWith($"line {line}: ");
        e.Message.ShouldContain(message);
    }

    [Fact]
    public void Read_ThrowsAtFirstExtraRow_WhenRowLimitIsExceeded()
    {
        var e = Should.Throw<CsvInputException>(() => CsvInput.Read("a\n1\n2\n3\n", new CsvReadOptions { MaxRows = 2 }));

        e.LineNumber.ShouldBe(4);
        e.Message.ShouldContain("more than the limit of 2 rows");
    }

    [Fact]
    public void Read_AcceptsExactlyMaxRows_WhenAtTheLimit()
    {
        CsvInput.Read("a\n1\n2\n", new CsvReadOptions { MaxRows = 2 }).Rows.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ReadAsync_Throws_WhenStreamExceedsMaxBytes()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("a,b\n" + string.Concat(Enumerable.Repeat("1,2\n", 100))));

        var e = await Should.ThrowAsync<CsvInputException>(() => CsvInput.ReadAsync(stream, new CsvReadOptions { MaxBytes = 100 }));

        e.Message.ShouldContain("larger than the limit of 100 bytes");
    }

    [Fact]
    public async Task ReadAsync_StripsUtf8Bom_WhenFileStartsWithIt()
    {
        using var stream = new MemoryStream([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("email;name\nä@x.de;Jürgen\n")]);

        var table = await CsvInput.ReadAsync(stream);

        table.Headers.ShouldBe(["email", "name"]);
        table.Rows[0].Values.ShouldBe(["ä@x.de", "Jürgen"]);
    }

    [Fact]
    public async Task ReadAsync_DecodesUtf16_WhenFileHasUtf16Bom()
    {
        using var stream = new MemoryStream([.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("a\tb\r\n1\t2\r\n")]);

        var table = await CsvInput.ReadAsync(stream);

        table.Delimiter.ShouldBe('\t');
        table.Rows[0].Values.ShouldBe(["1", "2"]);
    }

    [Fact]
    public async Task ReadAsync_ThrowsWithLine_WhenBytesAreNotUtf8()
    {
        using var stream = new MemoryStream([.. Encoding.ASCII.GetBytes("a,b\n1,2\nM"), 0xFC, .. Encoding.ASCII.GetBytes("ller,3\n")]);

        var e = await Should.ThrowAsync<CsvInputException>(() => CsvInput.ReadAsync(stream));

        e.LineNumber.ShouldBe(3);
        e.Message.ShouldContain("not UTF-8");
    }

    [Fact]
    public void Read_StripsBomCharacter_WhenStringStartsWithIt()
    {
        CsvInput.Read("\uFEFFemail\nx").Headers.ShouldBe(["email"]);
    }

    [Fact]
    public async Task Read_RefusesNulAndLoneSurrogates_NamingLineAndColumn()
    {
        // Issue 9 point 5: a NUL in a cell reached PostgreSQL (22021) and answered 500.
        Should.Throw<CsvInputException>(() => CsvInput.Read("email,name\na@x.example,An\0n\n"))
            .Message.ShouldBe("line 2: column 'name' must not contain the NUL character (U+0000): PostgreSQL text cannot hold it.");
        Should.Throw<CsvInputException>(() => CsvInput.Read("a\0,b\n1,2\n")).Message.ShouldStartWith("line 1: header column 1 must not contain the NUL");
        Should.Throw<CsvInputException>(() => CsvInput.Read("a,b\n1,x" + (char)0xD800 + "\n")).Message.ShouldContain("column 'b' must not contain a lone UTF-16 surrogate");
        byte[] utf16WithLoneSurrogate = [0xFF, 0xFE, (byte)'a', 0, (byte)'\n', 0, 0x00, 0xD8, (byte)'\n', 0];
        (await Should.ThrowAsync<CsvInputException>(() => CsvInput.ReadAsync(new MemoryStream(utf16WithLoneSurrogate)))).Message.ShouldContain("not UTF-8 text");
    }
}
