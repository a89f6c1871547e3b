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
}
