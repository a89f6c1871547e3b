using System.Net.Http.Json;
using System.Text.Json;

namespace HangfireApp.Tests.Operations;

[Collection(OperationsTests.Name)]
public sealed class OpenApiAndAuditTests(OperationsFixture host)
{
    [Fact]
    public async Task OpenApi_DeclaresTheApiKeyScheme_OnOperationsThatNeedIt()
    {
        using var anonymous = host.App.CreateClient();
        var text = await anonymous.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative));
        var document = JsonDocument.Parse(text).RootElement;

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().ShouldBe("apiKey");
        scheme.GetProperty("in").GetString().ShouldBe("header");
        scheme.GetProperty("name").GetString().ShouldBe("X-Api-Key");
        var submit = document.GetProperty("paths").GetProperty("/api/batches").GetProperty("post");
        submit.GetProperty("security")[0].TryGetProperty("ApiKey", out _).ShouldBeTrue();
        var pause = document.GetProperty("paths").GetProperty("/api/worker-types/{name}/pause").GetProperty("post");
        pause.GetProperty("security")[0].TryGetProperty("ApiKey", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task AuditedApiCalls_RecordTheirTargetAndDetails()
    {
        using var response = await host.Api.PostAsJsonAsync("/api/packages", new[] { new { ecosystem = "npm", name = "left-pad", version = "1.3.0" } });
        response.EnsureSuccessStatusCode();
        await using var command = host.Db.CreateCommand("select target, details::text from app.audit_log where action = 'packages.register' order by id desc limit 1");
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("packages:*");
        var details = JsonDocument.Parse(reader.GetString(1)).RootElement;
        details.GetProperty("request").GetString().ShouldBe("POST /api/packages");
        details.GetProperty("status").GetInt32().ShouldBe(200);
        details.GetProperty("result").ValueKind.ShouldBe(JsonValueKind.Object);
    }
}
