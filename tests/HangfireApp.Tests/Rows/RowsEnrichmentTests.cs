using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Rows;
using Microsoft.AspNetCore.Http;

namespace HangfireApp.Tests.Rows;

[Collection(RowsTests.Name)]
public sealed class RowsEnrichmentTests(RowsFixture fixture)
{
    private static readonly string[] NoteColumn = ["note"];
    private static readonly string[] EmailAndName = ["email", "name"];

    [Fact]
    public async Task Upload_AddsFlattenedResponseColumns_AndOutputKeepsInputOrder()
    {
        var queries = new ConcurrentDictionary<string, string>();
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            var id = context.Request.Path.Value!.Split('/')[^1];
            queries[id] = context.Request.Query["note"].ToString();
            // Later rows answer sooner, so completion order is not input order.
            await Task.Delay(Math.Max(0, 60 - (int.Parse(id, System.Globalization.CultureInfo.InvariantCulture) * 5)));
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"name":"person {{id}}","address":{"city":"City {{id}}","zip":null},"tags":[1,2],"note":"from api"}""");
        });
        // BOM, ';' as delimiter, a quoted value with the delimiter, doubled quotes and a line break inside.
        var csv = "\uFEFFid;note\r\n" + string.Join("\r\n", Enumerable.Range(1, 12).Select(i => i == 5 ? "5;\"multi\nline; \"\"quoted\"\"\"" : $"{i};n{i}")) + "\r\n";

        var (_, state, output) = await fixture.RunAsync(csv, new { urlTemplate = api.BaseAddress + "people/{id}", send = NoteColumn });

        state.ShouldBe("succeeded");
        var table = CsvInput.Read(output);
        table.Delimiter.ShouldBe(';');
        // The flattened columns in ordinal order; 'note' is an input column, so the response's is prefixed.
        table.Headers.ShouldBe(["id", "note", "address.city", "address.zip", "name", "response.note", "tags", "error"]);
        table.Rows.Select(r => r.Values[0]).ShouldBe(Enumerable.Range(1, 12).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        table.Rows[4].Values[1].ShouldBe("multi\nline; \"quoted\"");
        foreach (var row in table.Rows)
        {
            row.Values.Skip(2).ShouldBe([$"City {row.Values[0]}", "", $"person {row.Values[0]}", "from api", "[1,2]", ""]);
        }
        queries["5"].ShouldBe("multi\nline; \"quoted\""); // sent as a query parameter, encoded
        queries["7"].ShouldBe("n7");
    }

    [Fact]
    public async Task Post_SendsSelectedColumnsAsJson_AndReadsConfiguredPointers()
    {
        var bodies = new ConcurrentQueue<string>();
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            var body = LoopbackServer.BodyOf(context);
            bodies.Enqueue(body);
            using var json = JsonDocument.Parse(body);
            var name = json.RootElement.GetProperty("name").GetString()!;
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync($$"""{"result":{"score":{{name.Length}},"labels":["l-{{name}}"]},"a/b":"slash"}""");
        });
        const string csv = "email,name,ignored\na@x.example,Ann,1\nb@x.example,Bobby,2\n";

        var (_, state, output) = await fixture.RunAsync(csv, new
        {
            urlTemplate = api.BaseAddress + "score",
            method = "post",
            send = EmailAndName,
            columns = new object[]
            {
                new { name = "score", pointer = "/result/score" },
                new { name = "first_label", pointer = "/result/labels/0" },
                new { name = "escaped", pointer = "/a~1b" },
                new { name = "missing", pointer = "/result/nope" },
            },
        });

        state.ShouldBe("succeeded");
        var table = CsvInput.Read(output);
        table.Headers.ShouldBe(["email", "name", "ignored", "score", "first_label", "escaped", "missing", "error"]);
        table.Rows[0].Values.ShouldBe(["a@x.example", "Ann", "1", "3", "l-Ann", "slash", "", ""]);
        table.Rows[1].Values.ShouldBe(["b@x.example", "Bobby", "2", "5", "l-Bobby", "slash", "", ""]);
        bodies.ShouldContain("""{"email":"a@x.example","name":"Ann"}""");
    }

    [Fact]
    public async Task FailingRows_KeepTheirErrors_AndTheOthersSucceed()
    {
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            var n = int.Parse(context.Request.Path.Value!.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
            context.Response.StatusCode = n % 3 == 0 ? 404 : n == 4 ? 400 : 200;
            await context.Response.WriteAsync(n % 3 == 0 ? "no such item" : n == 4 ? "bad item" : """{"ok":true}""");
        });
        var csv = "n\n" + string.Join("\n", Enumerable.Range(1, 9));

        var (id, state, output) = await fixture.RunAsync(csv, new { urlTemplate = api.BaseAddress + "items/{n}" });

        state.ShouldBe("completed_with_failures");
        var rows = CsvInput.Read(output).Rows;
        rows.Count.ShouldBe(9);
        foreach (var row in rows)
        {
            var n = int.Parse(row.Values[0], System.Globalization.CultureInfo.InvariantCulture);
            var (ok, error) = (row.Values[1], row.Values[2]);
            if (n % 3 == 0)
            {
                (ok, error).ShouldBe(("", "404 Not Found from 127.0.0.1: no such item"));
            }
            else if (n == 4)
            {
                error.ShouldStartWith("400 Bad Request");
            }
            else
            {
                (ok, error).ShouldBe(("true", ""));
            }
        }
        // A 4xx is final: no chunk retry called those rows again.
        api.Requests.Count.ShouldBe(9);
        (await fixture.Api.GetBatchAsync(id)).ItemCounts.Failed.ShouldBe(4);
    }

    [Fact]
    public async Task TooManyRequests_WaitsForRetryAfter_ThenSucceeds()
    {
        var times = new ConcurrentQueue<(int Call, long Ms)>();
        var clock = Stopwatch.StartNew();
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            times.Enqueue((call, clock.ElapsedMilliseconds));
            if (call == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                return;
            }
            if (call == 2)
            {
                context.Response.StatusCode = 503;
                return;
            }
            await context.Response.WriteAsync("""{"ok":1}""");
        });

        var (_, state, output) = await fixture.RunAsync("n\n1\n2\n3\n", new { urlTemplate = api.BaseAddress + "x/{n}", maxInFlight = 1 });

        state.ShouldBe("succeeded");
        CsvInput.Read(output).Rows.ShouldAllBe(row => row.Values[1] == "1" && row.Values[2] == "");
        var calls = times.OrderBy(t => t.Call).ToList();
        calls.Count.ShouldBe(5); // 3 rows, one 429 and one 503 tried again inside their items
        calls.Skip(1).ShouldAllBe(c => c.Ms - calls[0].Ms >= 950, string.Join(", ", calls));
    }

    [Fact]
    public async Task SlowEndpoint_TimesOutItsRowOnly()
    {
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            if (context.Request.Path.Value!.EndsWith("/2", StringComparison.Ordinal))
            {
                await Task.Delay(TimeSpan.FromSeconds(5), context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            await context.Response.WriteAsync("""{"ok":1}""");
        });

        var (_, state, output) = await fixture.RunAsync("n\n1\n2\n3\n", new { urlTemplate = api.BaseAddress + "slow/{n}", timeoutSeconds = 0.5 });

        state.ShouldBe("completed_with_failures");
        var rows = CsvInput.Read(output).Rows;
        rows[1].Values[2].ShouldBe("TimeoutException: No complete answer from 127.0.0.1 within 0.5 s.");
        rows[0].Values.Skip(1).ShouldBe(["1", ""]);
        rows[2].Values.Skip(1).ShouldBe(["1", ""]);
    }

    [Fact]
    public async Task Redirects_AreFollowed_AndSecretHeadersStayOnTheirOrigin()
    {
        static Task Answer(HttpContext context, string where) => context.Response.WriteAsJsonAsync(new
        {
            where,
            secret = context.Request.Headers["X-Secret"].ToString(),
            plain = context.Request.Headers["X-Plain"].ToString(),
            method = context.Request.Method,
        });
        await using var other = await LoopbackServer.StartAsync((context, call) => Answer(context, "other"));
        await using var api = await LoopbackServer.StartAsync((context, call) =>
        {
            switch (context.Request.Path.Value)
            {
                case "/r/same":
                    context.Response.Redirect("/final");
                    return Task.CompletedTask;
                case "/r/other":
                    context.Response.StatusCode = 307;
                    context.Response.Headers.Location = other.BaseAddress + "final";
                    return Task.CompletedTask;
                case "/r/loop":
                    context.Response.Redirect("/r/loop");
                    return Task.CompletedTask;
                default:
                    return Answer(context, "same");
            }
        });

        var (_, _, output) = await fixture.RunAsync("path\nsame\nother\nloop\n", new
        {
            urlTemplate = api.BaseAddress + "r/{path}",
            method = "POST",
            headers = new object[] { new { name = "X-Secret", value = "s3cr3t-value", secret = true }, new { name = "X-Plain", value = "visible" } },
        });

        var table = CsvInput.Read(output);
        table.Headers.ShouldBe(["path", "method", "plain", "secret", "where", "error"]);
        table.Rows[0].Values.ShouldBe(["same", "GET", "visible", "s3cr3t-value", "same", ""]); // 302 after POST continues as GET
        table.Rows[1].Values.ShouldBe(["other", "POST", "visible", "", "other", ""]); // 307 keeps the method; the secret stays home
        table.Rows[2].Values[5].ShouldBe($"More than 5 redirects, the last to {api.BaseAddress}r/loop.");
    }

    [Fact]
    public async Task HugeResponses_AreCapped_AndFailOnlyTheirRows()
    {
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            var n = context.Request.Path.Value![^1];
            if (n == '1')
            {
                // 5 MB streamed without a Content-Length: only counting while reading can stop it.
                var block = Encoding.UTF8.GetBytes(new string('x', 64 * 1024));
                for (var i = 0; i < 80 && !context.RequestAborted.IsCancellationRequested; i++)
                {
                    await context.Response.Body.WriteAsync(block, context.RequestAborted).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                }
                return;
            }
            if (n == '2')
            {
                context.Response.ContentLength = 1024 * 1024;
                await context.Response.Body.WriteAsync(new byte[1024 * 1024], context.RequestAborted).AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
                return;
            }
            await context.Response.WriteAsync("small");
        });

        var (_, state, output) = await fixture.RunAsync("n\n1\n2\n3\n", new { urlTemplate = api.BaseAddress + "big/{n}" });

        state.ShouldBe("completed_with_failures");
        var rows = CsvInput.Read(output).Rows;
        rows[0].Values[2].ShouldBe("The response is larger than the limit of 65536 bytes.");
        rows[1].Values[2].ShouldBe("The response has 1048576 bytes, more than the limit of 65536.");
        rows[2].Values.Skip(1).ShouldBe(["small", ""]); // a body that is not JSON is one column, 'response'
    }

    [Fact]
    public async Task InFlightLimit_HoldsAcrossTheChunksOfABatch_AndRateLimitSpacesTheCalls()
    {
        var inFlight = 0;
        var peak = 0;
        await using var api = await LoopbackServer.StartAsync(async (context, call) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref peak, now);
            await Task.Delay(150);
            Interlocked.Decrement(ref inFlight);
            await context.Response.WriteAsync("""{"ok":1}""");
        });
        var csv = "n\n" + string.Join("\n", Enumerable.Range(1, 12));

        // 12 rows in chunks of 3 with 4 in flight per chunk: up to 16 at once without the batch's limit of 2.
        var (_, state, _) = await fixture.RunAsync(csv, new { urlTemplate = api.BaseAddress + "n/{n}", maxInFlight = 2 });

        state.ShouldBe("succeeded");
        peak.ShouldBe(2);

        var times = new ConcurrentQueue<long>();
        var clock = Stopwatch.StartNew();
        await using var limited = await LoopbackServer.StartAsync(async (context, call) =>
        {
            times.Enqueue(clock.ElapsedMilliseconds);
            await context.Response.WriteAsync("""{"ok":1}""");
        });
        (await fixture.RunAsync("n\n1\n2\n3\n4\n5\n6\n", new { urlTemplate = limited.BaseAddress + "n/{n}", requestsPerSecond = 10, maxInFlight = 6 })).State.ShouldBe("succeeded");
        var sorted = times.Order().ToList();
        // 10 per second from a bucket of 1: six calls span at least ~0.5 s.
        (sorted[^1] - sorted[0]).ShouldBeGreaterThanOrEqualTo(450, string.Join(", ", sorted));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }
}
