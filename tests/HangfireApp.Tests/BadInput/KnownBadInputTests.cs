using System.Net.Http.Headers;
using System.Text;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.BadInput;

/// <summary>
/// Issue 9 point 5: the inputs that answered 500 (nothing was written, but a client's mistake is a 4xx). Each is
/// refused at the entry with a 400 naming the field, and writes nothing.
/// </summary>
[Collection(BadInputTests.Name)]
public sealed class KnownBadInputTests(BadInputFixture fixture)
{
    private const string Nul = "\\u0000";

    public static TheoryData<string, string, string, string> JsonBodies => new()
    {
        { "NUL in a batch description", "/api/batches", $$"""{"workerType":"bench","items":[{}],"description":"a{{Nul}}b"}""", "description" },
        { "NUL in an item key", "/api/batches", $$"""{"workerType":"bench","items":[{"k{{Nul}}":1}]}""", "items[0]" },
        { "NUL in an item value", "/api/batches", $$"""{"workerType":"bench","items":[{},{"value":"x{{Nul}}"}]}""", "items[1].value" },
        { "lone surrogate in an item value", "/api/batches", """{"workerType":"bench","items":[{"value":"\ud800"}]}""", "items[0].value" },
        { "lone low surrogate in a description", "/api/batches", """{"workerType":"bench","items":[{}],"description":"\udc00x"}""", "description" },
        { "NUL in a webhook URL", "/api/batches", $$$"""{"workerType":"bench","items":[{}],"continuation":{"webhookUrl":"http://example.com/{{{Nul}}}"}}""", "continuation.webhookUrl" },
        { "NUL in a package name", "/api/packages", $$"""[{"ecosystem":"npm","name":"left{{Nul}}pad","version":"1.0.0"}]""", "[0].name" },
        { "NUL in a package version", "/api/packages", $$"""[{"ecosystem":"npm","name":"left-pad","version":"1.0.0{{Nul}}"}]""", "[0].version" },
        { "NUL in an SBOM purl", "/api/packages", $$"""{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"x","purl":"pkg:npm/x@1.0.0{{Nul}}"}]}""", "components[0].purl" },
        { "NUL in an advisory id", "/api/advisories/import", $$"""{"id":"GHSA-0000{{Nul}}","modified":"2024-01-01T00:00:00Z","affected":[]}""", "id" },
        { "NUL in an advisory summary", "/api/advisories/import", $$"""[{"id":"GHSA-1111","modified":"2024-01-01T00:00:00Z","summary":"s{{Nul}}","affected":[]}]""", "[0].summary" },
        { "NUL in a scrape URL", "/api/scrape", $$"""{"urls":["http://example.com/{{Nul}}"]}""", "urls[0]" },
        { "NUL in a scrape description", "/api/scrape", $$"""{"urls":["http://example.com/"],"description":"{{Nul}}"}""", "description" },
        { "NUL in a schedule id", "/api/schedules", $$"""{"id":"nightly{{Nul}}","cron":"0 3 * * *","workerType":"bench","items":[{}]}""", "id" },
        { "NUL in a schedule's items", "/api/schedules", $$"""{"id":"nightly","cron":"0 3 * * *","workerType":"bench","items":[{"v":"{{Nul}}"}]}""", "items[0].v" },
        { "NUL in a rerun scope", "/api/batches/1/rerun", $$"""{"scope":"failed{{Nul}}"}""", "scope" },
        { "NUL in package ids to rerun", "/api/packages/rerun-failed", $$"""{"ids":["{{Nul}}"]}""", "ids[0]" },
    };

    [Theory]
    [MemberData(nameof(JsonBodies))]
    public async Task JsonBody_WithBadText_Is400NamingTheField_AndWritesNothing(string why, string url, string json, string field)
    {
        var before = await fixture.CountsAsync();

        using var response = await fixture.Api.PostAsync(new Uri(url, UriKind.Relative), new StringContent(json, Encoding.UTF8, "application/json"));

        await response.ShouldBeRefusedAsync(why, $"\"{field}\"");
        (await fixture.CountsAsync()).ShouldBe(before, why);
    }

    [Theory]
    [InlineData("/api/batches")]
    [InlineData("/api/packages")]
    [InlineData("/api/advisories/import")]
    [InlineData("/api/scrape")]
    [InlineData("/api/schedules")]
    public async Task JsonBody_WithInvalidUtf8_Is400(string url)
    {
        var before = await fixture.CountsAsync();
        byte[] body = [.. """{"workerType":"bench","items":[{"v":"x"""u8, 0xff, 0xfe, .. "\"}],\"description\":\"d\"}"u8];
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await fixture.Api.PostAsync(new Uri(url, UriKind.Relative), content);

        await response.ShouldBeRefusedAsync(url, "UTF-8");
        (await fixture.CountsAsync()).ShouldBe(before, url);
    }

    [Theory]
    [InlineData("/api/batches?workerType=bench%00")]
    [InlineData("/api/packages?q=%00")]
    [InlineData("/api/audit?actor=%00")]
    public async Task QueryString_WithBadText_Is400(string url)
    {
        using var response = await fixture.Api.GetAsync(new Uri(url, UriKind.Relative));

        await response.ShouldBeRefusedAsync(url);
    }

    [Fact]
    public async Task LoginForm_WithNulInTheUserName_Is400()
    {
        using var client = fixture.App.CreateClient();
        using var response = await client.PostAsync(new Uri("/account/login", UriKind.Relative),
            new FormUrlEncodedContent([new("username", "ada\0"), new("password", "x")]));

        // ASP.NET Core's form reader itself refuses a NUL (it threw, a 500, before the entry rule caught it).
        await response.ShouldBeRefusedAsync("login", "form");
        (await fixture.Db.ScalarAsync("select count(*) from app.login_failures")).ShouldBe(0);
    }
}
