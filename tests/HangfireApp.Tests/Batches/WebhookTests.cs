using HangfireApp.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Batches;

[Collection(EngineTests.Name)]
public sealed class WebhookTests(EngineFixture engine)
{
    [Fact]
    public async Task Webhook_ReceivesTheBatchSummary_AndIsRetriedAfterAFailure()
    {
        // The first delivery fails with a 500; Hangfire retries it.
        await using var receiver = await LoopbackServer.StartAsync((context, n) =>
        {
            context.Response.StatusCode = n == 1 ? StatusCodes.Status500InternalServerError : StatusCodes.Status204NoContent;
            return Task.CompletedTask;
        });
        var submitted = await engine.Api.SubmitAsync(new
        {
            workerType = "bench", items = BatchApi.Items(5, new { }),
            continuation = new { webhookUrl = new Uri(receiver.BaseAddress, "/hook").ToString() },
        });

        var batch = await Eventually.Until(() => engine.Api.GetBatchAsync(submitted.Id),
            b => b.Continuation?.WebhookState == "delivered", TimeSpan.FromSeconds(40), "the webhook to be delivered");

        receiver.Requests.Count.ShouldBe(2);
        var (path, body) = receiver.Requests.Last();
        path.ShouldBe("/hook");
        body.ShouldContain($"\"batchId\":{batch.Id}");
        body.ShouldContain("\"state\":\"succeeded\"");
        body.ShouldContain("\"succeeded\":5");
        batch.Continuation!.State.ShouldBe("completed");
        (await engine.Db.ScalarAsync("select webhook_attempts from app.continuations where batch_id = @b", ("b", batch.Id))).ShouldBe(2);
    }

    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/", "link-local")]
    [InlineData("http://[::1]:9/hook", "loopback")]
    [InlineData("http://127.0.0.2:9/hook", "loopback")]
    public async Task Webhook_ToANonPublicAddress_IsRefused_AndNotRetried(string url, string why)
    {
        // Issue 9 point 3: a continuation's webhook POSTed to internal addresses (blind SSRF).
        var submitted = await engine.Api.SubmitAsync(new { workerType = "bench", items = BatchApi.Items(1, new { }), continuation = new { webhookUrl = url } });

        var batch = await Eventually.Until(() => engine.Api.GetBatchAsync(submitted.Id),
            b => b.Continuation?.WebhookState == "failed", TimeSpan.FromSeconds(40), "the webhook to be refused");

        batch.Continuation!.WebhookState.ShouldBe("failed");
        await using var command = engine.Db.CreateCommand("select webhook_error, webhook_attempts from app.continuations where batch_id = @b");
        command.Parameters.AddWithValue("b", batch.Id);
        await using var reader = await command.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldContain(why);
        reader.GetInt32(1).ShouldBe(1);
    }
}
