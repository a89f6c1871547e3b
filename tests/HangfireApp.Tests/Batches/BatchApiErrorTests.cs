using System.Net;
using System.Net.Http.Json;
using System.Text;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Batches;

[Collection(EngineTests.Name)]
public sealed class BatchApiErrorTests(EngineFixture engine)
{
    public static TheoryData<string, string, int, string> BadRequests => new()
    {
        { "unknown worker type", """{"workerType":"nope","items":[{}]}""", 400, "workerType" },
        { "missing worker type", """{"items":[{}]}""", 400, "workerType" },
        { "empty items", """{"workerType":"bench","items":[]}""", 400, "items" },
        { "no items", """{"workerType":"bench"}""", 400, "items" },
        { "bad priority", """{"workerType":"bench","items":[{}],"priority":"urgent"}""", 400, "priority" },
        { "bad chunk size", """{"workerType":"bench","items":[{}],"chunkSize":0}""", 400, "chunkSize" },
        { "bad condition", """{"workerType":"bench","items":[{}],"continuation":{"condition":"sometimes","next":{"workerType":"bench"}}}""", 400, "continuation.condition" },
        { "bad webhook", """{"workerType":"bench","items":[{}],"continuation":{"webhookUrl":"ftp://x"}}""", 400, "continuation.webhookUrl" },
        { "webhook with credentials", """{"workerType":"bench","items":[{}],"continuation":{"webhookUrl":"https://user:pw@hooks.example.com/x"}}""", 400, "must not carry credentials" },
        { "malformed json", """{"workerType":"bench","items":[{}""", 400, "" },
        { "items not an array", """{"workerType":"bench","items":{"a":1}}""", 400, "items" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Submit_RefusesBadInput_WithProblemDetails_AndWritesNothing(string why, string body, int status, string field)
    {
        var before = await engine.Db.ScalarAsync("select count(*) from app.batches");
        var beforeJobs = await engine.Db.ScalarAsync("select count(*) from hangfire.job");

        using var response = await engine.Api.PostAsync(new Uri("/api/batches", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).ShouldBe(status, $"{why}: {text}");
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json", why);
        text.ShouldContain(field);
        (await engine.Db.ScalarAsync("select count(*) from app.batches")).ShouldBe(before, why);
        (await engine.Db.ScalarAsync("select count(*) from hangfire.job")).ShouldBeLessThanOrEqualTo(beforeJobs + 2, why); // sweeps may run meanwhile
    }

    [Fact]
    public async Task Submit_TooManyItems_Answers413()
    {
        using var response = await engine.Api.PostAsJsonAsync("/api/batches", new { workerType = "bench", items = BatchApi.Items(5001, new { }) });

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("At most 5000 items");
    }

    [Theory]
    [InlineData("/api/batches/999999")]
    [InlineData("/api/batches/999999/items")]
    [InlineData("/api/batches/999999/errors")]
    public async Task UnknownBatch_Answers404_WithProblemDetails(string url)
    {
        using var response = await engine.Api.GetAsync(new Uri(url, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task CancelAndRerun_OfAnUnknownBatch_Answer404()
    {
        using var cancel = await engine.Api.PostAsync(new Uri("/api/batches/999999/cancel", UriKind.Relative), null);
        using var rerun = await engine.Api.PostAsJsonAsync("/api/batches/999999/rerun", new { scope = "failed" });

        cancel.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        rerun.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/api/batches?state=weird")]
    [InlineData("/api/batches?page=0")]
    [InlineData("/api/batches/1/items?state=weird")]
    public async Task BadQuery_Answers400(string url)
    {
        using var response = await engine.Api.GetAsync(new Uri(url, UriKind.Relative));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Api_RequiresAKey_AndTheRightRole()
    {
        using var anonymous = engine.App.ApiClient(apiKey: null);
        using var wrong = engine.App.ApiClient("not-a-key");
        using var viewer = engine.App.ApiClient(EngineFixture.ViewerKey);

        (await anonymous.GetAsync(new Uri("/api/batches", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await wrong.GetAsync(new Uri("/api/batches", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await viewer.GetAsync(new Uri("/api/batches", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await viewer.GetAsync(new Uri("/api/worker-types", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var submit = await viewer.PostAsJsonAsync("/api/batches", new { workerType = "bench", items = BatchApi.Items(1, new { }) });
        submit.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task WorkerTypes_ListsTheEnabledTypesWithTheirSettings()
    {
        var text = await engine.Api.GetStringAsync(new Uri("/api/worker-types", UriKind.Relative));

        text.ShouldContain("\"name\":\"bench\"");
        text.ShouldContain("\"chunkSize\":10");
        text.ShouldContain("\"maxDegreeOfParallelism\":4");
        text.ShouldContain("bench-1-high");
        text.ShouldContain("\"retryAttempts\":2");
        text.ShouldContain("\"handler\":\"item\"");
        text.ShouldContain("\"name\":\"bench-bulk\"");
        text.ShouldContain("\"handler\":\"bulk\",\"sliceSize\":4");
    }
}
