using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Rows;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Rows;

/// <summary>
/// Issue 9 point 3: the rows URL template called 127.0.0.1, [::1] and 169.254.169.254 (the answer readable in the
/// output file) and followed redirects into them. The fixture allows only its stand-in API's 127.0.0.1.
/// </summary>
[Collection(RowsTests.Name)]
public sealed class RowsOutboundTests(RowsFixture fixture)
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/{n}", "link-local")]
    [InlineData("http://[::1]:9/{n}", "loopback")]
    [InlineData("http://127.0.0.2:9/{n}", "loopback")]
    [InlineData("http://10.0.0.1:9/{n}", "private")]
    public async Task UrlTemplate_ToANonPublicAddress_FailsTheRowsForGood_WithoutAConnection(string template, string why)
    {
        var (id, state, output) = await fixture.RunAsync("n\n1\n2\n", new { urlTemplate = template });

        state.ShouldBe("failed");
        var errors = CsvInput.Read(output).Rows.Select(row => row.Values[^1]).ToList();
        errors.Count.ShouldBe(2);
        errors.ShouldAllBe(error => error.Contains("refused", StringComparison.Ordinal) && error.Contains(why, StringComparison.Ordinal), string.Join(" | ", errors));
        // Refused for good: one try per row, no chunk retry.
        (await fixture.Db.ScalarAsync("select max(attempts) from app.items where batch_id = @b", ("b", id))).ShouldBe(1);
    }

    [Fact]
    public async Task Redirect_IntoLoopback_IsRefused_AtThatHop()
    {
        await using var inside = await LoopbackServer.StartAsync((context, _) => context.Response.WriteAsync("""{"secret":"instance credentials"}"""));
        var target = new UriBuilder(inside.BaseAddress) { Host = "127.0.0.2", Path = "/latest/meta-data" }.Uri;
        await using var api = await LoopbackServer.StartAsync((context, _) =>
        {
            context.Response.Redirect(target.ToString());
            return Task.CompletedTask;
        });

        var (_, state, output) = await fixture.RunAsync("n\n1\n", new { urlTemplate = api.BaseAddress + "r/{n}" });

        state.ShouldBe("failed");
        CsvInput.Read(output).Rows.Single().Values[^1].ShouldContain("127.0.0.2 is loopback");
        inside.Requests.ShouldBeEmpty();
    }
}
