using HangfireApp.Workers.Rows;

namespace HangfireApp.UnitTests.Rows;

public sealed class UrlTemplateTests
{
    private static readonly string[] Columns = ["email", "name", "id"];

    [Theory]
    [InlineData("https://api.example.com/lookup?email={email}&name={name}", "https://api.example.com/lookup?email=a%2Bb%40x.com&name=Ann%20Lee%20%26%20Co")]
    [InlineData("https://api.example.com/users/{id}/profile", "https://api.example.com/users/42%2F..%2Fadmin/profile")]
    [InlineData("https://api.example.com/q?e={ email }", "https://api.example.com/q?e=a%2Bb%40x.com")]
    [InlineData("https://api.example.com/q?json={{\"id\":{id}}}", "https://api.example.com/q?json={\"id\":42%2F..%2Fadmin}")]
    [InlineData("http://localhost:8080/{name}", "http://localhost:8080/Ann%20Lee%20%26%20Co")]
    [InlineData("https://api.example.com/static", "https://api.example.com/static")]
    public void Render_EncodesEveryValue_WhenTemplateIsValid(string template, string expected)
    {
        var values = new Dictionary<string, string> { ["email"] = "a+b@x.com", ["name"] = "Ann Lee & Co", ["id"] = "42/../admin" };

        UrlTemplate.Parse(template, Columns).Render(values).AbsoluteUri.ShouldBe(new Uri(expected).AbsoluteUri);
    }

    [Fact]
    public void Render_EncodesUnicodeAsUtf8_WhenValueIsNotAscii()
    {
        var url = UrlTemplate.Parse("https://x.example/?n={name}", Columns).Render(new Dictionary<string, string> { ["name"] = "Jürgen" });

        url.AbsoluteUri.ShouldBe("https://x.example/?n=J%C3%BCrgen");
    }

    [Fact]
    public void Parse_ListsKnownColumns_WhenPlaceholderIsUnknown()
    {
        var e = Should.Throw<UrlTemplateException>(() => UrlTemplate.Parse("https://x.example/?e={mail}&p={phone}", Columns));

        e.Message.ShouldBe("The URL template uses unknown placeholder(s) {mail}, {phone}; the CSV's columns are: email, name, id.");
    }

    [Theory]
    [InlineData("https://x.example/?e={email", "is not closed")]
    [InlineData("https://x.example/?e={em{ail}", "is not closed")]
    [InlineData("https://x.example/?e=email}", "has no opening")]
    [InlineData("https://x.example/?e={}", "empty placeholder")]
    [InlineData("https://x.example/?e={ }", "empty placeholder")]
    [InlineData("ftp://x.example/{email}", "must start with http:// or https://")]
    [InlineData("/relative/{email}", "must start with http:// or https://")]
    [InlineData("{email}", "must start with http:// or https://")]
    [InlineData("https://{email}:99999/", "does not give an absolute URL")]
    public void Parse_Throws_WhenTemplateIsInvalid(string template, string message)
    {
        Should.Throw<UrlTemplateException>(() => UrlTemplate.Parse(template, Columns)).Message.ShouldContain(message);
    }

    [Fact]
    public void Parse_IsCaseSensitive_WhenColumnDiffersInCase()
    {
        Should.Throw<UrlTemplateException>(() => UrlTemplate.Parse("https://x.example/{Email}", Columns)).Message.ShouldContain("{Email}");
    }

    [Fact]
    public void Placeholders_ListsDistinctNamesInOrder_WhenRepeated()
    {
        UrlTemplate.Parse("https://x.example/{id}?a={email}&b={id}", Columns).Placeholders.ShouldBe(["id", "email"]);
    }

    [Fact]
    public void Render_Throws_WhenValueIsMissing()
    {
        var template = UrlTemplate.Parse("https://x.example/{id}", Columns);

        Should.Throw<UrlTemplateException>(() => template.Render(new Dictionary<string, string>())).Message.ShouldContain("{id}");
    }
}
