using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Rows;

[Collection(RowsTests.Name)]
public sealed class RowsApiTests(RowsFixture fixture)
{
    private const string Url = "http://127.0.0.1:9/lookup/{email}";

    [Fact]
    public async Task MalformedCsv_Is400NamingTheLine_AndWritesNothing()
    {
        var before = await BatchCountAsync();

        var (status, body) = await fixture.UploadAsync("email,name\na@x.example,Ann\nb@x.example,\"never closed\nc@x.example,Cy\n", new { urlTemplate = Url });
        var (wrongWidth, widthBody) = await fixture.UploadAsync("email,name\na@x.example,Ann\n\nb@x.example,Bo,extra\n", new { urlTemplate = Url });

        status.ShouldBe(400);
        Errors(body, "file").ShouldStartWith("line 3: the quoted field");
        wrongWidth.ShouldBe(400);
        Errors(widthBody, "file").ShouldBe("line 4: the row has 3 field(s) but the header has 2");
        (await BatchCountAsync()).ShouldBe(before);
    }

    [Theory]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{mail}"}""", "call.urlTemplate", "unknown placeholder(s) {mail}")]
    [InlineData("""{"urlTemplate":"ftp://127.0.0.1/{email}"}""", "call.urlTemplate", "must start with http:// or https://")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","method":"TRACE"}""", "call.method", "method must be one of GET, POST, PUT, PATCH, DELETE")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","headers":[{"name":"Bad Header","value":"x"}]}""", "call.headers[0].name", "HTTP token")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","headers":[{"name":"Host","value":"x"}]}""", "call.headers[0].name", "set by the HTTP client")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","send":["phone"]}""", "call.send[0]", "'phone' is not a column")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","columns":[{"name":"name","pointer":"/n"}]}""", "call.columns[0].name", "already a column")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","columns":[{"name":"n","pointer":"n"}]}""", "call.columns[0].pointer", "JSON pointer")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","maxInFlight":0}""", "call.maxInFlight", "between 1 and 1000")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","burst":3}""", "call.burst", "needs requestsPerSecond")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","timeoutSeconds":"soon"}""", "call.timeoutSeconds", "call is not valid")]
    [InlineData("""{"urlTemplate":"http://127.0.0.1:9/{email}","requestsPerSecond":-1}""", "call.requestsPerSecond", "above 0")]
    [InlineData("""{"urlTemplate":"http://user:secret@api.example.com/{email}"}""", "call.urlTemplate", "must not carry credentials")]
    [InlineData("""{"urlTemplate":"http://{email}@api.example.com/"}""", "call.urlTemplate", "must not carry credentials")]
    [InlineData("not json", "call", "call is not valid")]
    [InlineData("", "call", "A 'call' part is required")]
    public async Task InvalidCall_Is400NamingTheField_AndWritesNothing(string call, string field, string message)
    {
        var before = await BatchCountAsync();

        var (status, body) = await fixture.UploadAsync("email,name\na@x.example,Ann\n", call.Length == 0 ? null : call);

        status.ShouldBe(400, body.ToString());
        Errors(body, field).ShouldContain(message);
        (await BatchCountAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task BadRequests_AreProblemDetails_NeverA500()
    {
        var rows = string.Join("\n", Enumerable.Range(0, 51).Select(i => $"{i}@x.example"));
        (await fixture.UploadAsync("email\n" + rows, new { urlTemplate = Url })).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(400),
            r => Errors(r.Body, "file").ShouldBe("line 52: the file has more than the limit of 50 rows"));
        (await fixture.UploadAsync("email\n", new { urlTemplate = Url })).Status.ShouldBe(400);
        (await fixture.UploadAsync("email\na@x.example\n", new { urlTemplate = Url }, new() { ["priority"] = "urgent" })).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(400),
            r => Errors(r.Body, "priority").ShouldContain("high, normal or low"));
        (await fixture.UploadAsync("email\na@x.example\n", new { urlTemplate = Url }, new() { ["delimiter"] = "x" })).Status.ShouldBe(400);
        (await fixture.UploadAsync("", new { urlTemplate = Url }, rawFile: [0xC3, 0x28, 0x0A])).ShouldSatisfyAllConditions(
            r => r.Status.ShouldBe(400),
            r => Errors(r.Body, "file").ShouldContain("not UTF-8"));
        using var json = new StringContent("{}", Encoding.UTF8, "application/json");
        using var notMultipart = await fixture.Api.PostAsync(new Uri("/api/rows/csv", UriKind.Relative), json);
        ((int)notMultipart.StatusCode).ShouldBe(415);
        notMultipart.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task SecretHeader_IsSent_ButNeverReturnedLoggedOrStoredInPlainText()
    {
        const string secret = "Bearer top-secret-7f3a9c";
        var received = new ConcurrentQueue<string>();
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            received.Enqueue(context.Request.Headers.Authorization.ToString());
            if (context.Request.Path.Value!.EndsWith("/deny", StringComparison.Ordinal))
            {
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("denied");
                return;
            }
            await context.Response.WriteAsJsonAsync(new { ok = true });
        });
        var call = new
        {
            urlTemplate = api.BaseAddress + "who/{user}",
            headers = new object[] { new { name = "Authorization", value = secret, secret = true }, new { name = "X-Trace", value = "plain-value" } },
        };

        var (upload, uploadBody) = await fixture.UploadAsync("user\nann\ndeny\nbob\n", call);
        upload.ShouldBe(202);
        var id = uploadBody.GetProperty("batch").GetProperty("id").GetInt64();
        await fixture.Api.WaitFinalAsync(id);
        var output = await Eventually.Until(() => fixture.Api.GetAsync(new Uri($"/api/batches/{id}/output.csv", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the output");

        received.Count.ShouldBe(3);
        received.ShouldAllBe(value => value == secret);
        var header = uploadBody.GetProperty("call").GetProperty("headers")[0];
        header.GetProperty("secret").GetBoolean().ShouldBeTrue();
        header.TryGetProperty("value", out _).ShouldBeFalse();
        uploadBody.GetProperty("call").GetProperty("headers")[1].GetProperty("value").GetString().ShouldBe("plain-value");
        var seen = new StringBuilder(uploadBody.ToString());
        foreach (var path in new[] { $"/api/batches/{id}", $"/api/batches/{id}/items", $"/api/batches/{id}/errors", $"/api/batches/{id}/chunks" })
        {
            seen.Append(await fixture.Api.GetStringAsync(new Uri(path, UriKind.Relative)));
        }
        var csv = await output.Content.ReadAsStringAsync();
        csv.ShouldContain("401 Unauthorized from 127.0.0.1: denied");
        seen.Append(csv);
        seen.ToString().ShouldNotContain("top-secret");
        // The logs did capture this batch's calls (so the check below looks at something real), and no secret.
        fixture.Logs.Lines.ShouldContain(line => line.Contains($"Batch {id} row", StringComparison.Ordinal) && line.Contains("answered 200", StringComparison.Ordinal));
        fixture.Logs.Lines.ShouldNotContain(line => line.Contains("top-secret", StringComparison.Ordinal));
        // In the database: not in the call, the items, the chunks' errors, nor Hangfire's jobs; the stored secret is ciphertext.
        (await fixture.Db.ScalarAsync("select count(*) from app.rows_calls where batch_id = @b and call::text like '%top-secret%'", ("b", id))).ShouldBe(0);
        (await fixture.Db.ScalarAsync("select count(*) from app.rows_calls where batch_id = @b and position(convert_to('top-secret', 'UTF8') in secrets) = 0", ("b", id))).ShouldBe(1);
        (await fixture.Db.ScalarAsync("select count(*) from app.items where batch_id = @b and (payload::text || coalesce(result::text, '') || coalesce(error, '')) like '%top-secret%'", ("b", id))).ShouldBe(0);
        (await fixture.Db.ScalarAsync("select count(*) from hangfire.job where invocationdata::text like '%top-secret%' or arguments::text like '%top-secret%'")).ShouldBe(0);
    }

    private async Task<long> BatchCountAsync() => await fixture.Db.ScalarAsync("select count(*) from app.batches");

    private static string Errors(JsonElement problem, string field)
    {
        problem.GetProperty("errors").TryGetProperty(field, out var messages).ShouldBeTrue($"no error for '{field}' in {problem}");
        return messages[0].GetString()!;
    }
}
