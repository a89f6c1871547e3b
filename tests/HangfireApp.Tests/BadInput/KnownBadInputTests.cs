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
        { "chunkSize as a string", "/api/batches", """{"workerType":"bench","items":[{}],"chunkSize":"5"}""", "chunkSize" },
        { "chunkSize beyond int", "/api/batches", """{"workerType":"bench","items":[{}],"chunkSize":1e40}""", "chunkSize" },
        { "a cron that never fires", "/api/schedules", """{"id":"feb31","cron":"0 3 31 2 *","workerType":"bench","items":[{}]}""", "cron" },
        { "credentials in a webhook URL", "/api/batches", """{"workerType":"bench","items":[{}],"continuation":{"webhookUrl":"https://u:p@hooks.example.com/"}}""", "continuation.webhookUrl" },
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

    public static TheoryData<string, string, string, string, string> Files => new()
    {
        { "NUL in a CSV cell", "/api/rows/csv", "people.csv", "email,name\na@x.example,An\0n\n", "column 'name' must not contain the NUL" },
        { "NUL in a CSV header", "/api/rows/csv", "people.csv", "email,na\0me\na@x.example,Ann\n", "must not contain the NUL" },
        { "NUL in an SBOM purl (file)", "/api/packages", "sbom.cdx.json", """{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","name":"x","purl":"pkg:npm/x@1.0.0\u0000"}]}""", "purl" },
        { "affected null in an OSV record (file)", "/api/advisories/import", "osv.json", """[{"id":"GHSA-2222","modified":"2024-01-01T00:00:00Z","affected":[null]}]""", "affected[0] is null" },
        { "unknown OSV range type (file)", "/api/advisories/import", "osv.json", """{"id":"GHSA-3333","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"npm","name":"x"},"ranges":[{"type":"CALVER","events":[{"introduced":"0"}]}]}]}""", "CALVER" },
        { "NUL in an OSV summary (file)", "/api/advisories/import", "osv.json", """{"id":"GHSA-4444","modified":"2024-01-01T00:00:00Z","summary":"\u0000"}""", "summary must not contain the NUL" },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public async Task UploadedFile_WithBadContent_Is400_AndWritesNothing(string why, string url, string fileName, string text, string message)
    {
        var before = await fixture.CountsAsync();
        using var content = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(text));
        file.Headers.ContentType = new MediaTypeHeaderValue(fileName.EndsWith(".csv", StringComparison.Ordinal) ? "text/csv" : "application/json");
        content.Add(file, "file", fileName);
        if (url == "/api/rows/csv")
        {
            content.Add(new StringContent("""{"urlTemplate":"https://api.example.com/{email}"}"""), "call");
        }

        using var response = await fixture.Api.PostAsync(new Uri(url, UriKind.Relative), content);

        await response.ShouldBeRefusedAsync(why, message);
        (await fixture.CountsAsync()).ShouldBe(before, why);
    }

    [Theory]
    [InlineData("/api/rows/csv")]
    [InlineData("/api/packages")]
    [InlineData("/api/advisories/import")]
    public async Task TruncatedMultipartBody_Is400(string url)
    {
        var before = await fixture.CountsAsync();
        const string boundary = "----cut-here";
        var body = $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"people.csv\"\r\nContent-Type: text/csv\r\n\r\nemail\na@x.example\n";
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)); // no closing boundary: the upload was cut
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");

        using var response = await fixture.Api.PostAsync(new Uri(url, UriKind.Relative), content);

        await response.ShouldBeRefusedAsync(url, "form");
        (await fixture.CountsAsync()).ShouldBe(before, url);
    }
}
