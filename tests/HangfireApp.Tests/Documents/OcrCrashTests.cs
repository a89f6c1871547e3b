using System.Net.Http.Headers;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Documents.Native;

namespace HangfireApp.Tests.Documents;

/// <summary>A worker process killed (SIGKILL) in the middle of OCR loses no page: the stall sweep rescues its chunk.</summary>
public sealed class OcrCrashTests
{
    [Fact]
    public async Task KilledDuringOcr_LosesNoPage_WhenAnotherProcessRescuesTheChunk()
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = DocumentsFixture.Settings().Where(pair => pair.Value is not null).ToDictionary(pair => pair.Key, pair => pair.Value!);
        settings["ConnectionStrings:Postgres"] = database.ConnectionString;
        settings["Auth:BootstrapAdminKey"] = AppFactory.AdminKey;
        settings["Documents:OcrThreads"] = "1";
        settings["Documents:MaxFileBytes"] = "104857600";
        settings["WorkerTypes:ocr:ChunkSize"] = "5";
        settings["WorkerTypes:ocr:Retry:Attempts"] = "3";

        // Five dense pages: one process on one OCR thread needs several seconds for them.
        var lines = Enumerable.Range(0, 40).Select(n => $"Line {n} of a long page with quite a lot of text on it").ToList();
        var tiffPath = Path.Combine(Path.GetTempPath(), $"documents-crash-{Guid.NewGuid():N}.tif");
        for (var n = 0; n < 5; n++)
        {
            using var page = ScanSimulator.Render(lines, noise: 10);
            page.AppendToTiff(tiffPath, first: n == 0);
        }
        var tiff = await File.ReadAllBytesAsync(tiffPath);
        File.Delete(tiffPath);

        long documentId;
        await using (var doomed = HostProcess.Start(settings))
        {
            await doomed.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
            using var api = Client(doomed);
            using var form = new MultipartFormDataContent();
            var part = new ByteArrayContent(tiff);
            part.Headers.ContentType = new MediaTypeHeaderValue("image/tiff");
            form.Add(part, "file", "dense.tif");
            using var response = await api.PostAsync(new Uri("/api/documents", UriKind.Relative), form);
            var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            ((int)response.StatusCode).ShouldBe(202, body.ToString());
            documentId = body.GetProperty("documents")[0].GetProperty("id").GetInt64();

            // Kill it while Tesseract is at work: the ocr chunk is running and pages are left.
            await using var db = database.CreateDataSource();
            await Eventually.Until(() => ScalarAsync(db, """
                select count(*) from app.chunks c join app.batches b on b.id = c.batch_id where b.worker_type = 'ocr' and c.state = 'running'
                """), running => running > 0, TimeSpan.FromSeconds(90), "an ocr chunk to run");
            (await ScalarAsync(db, $"select count(*) from app.document_pages where document_id = {documentId} and state <> 'pending'")).ShouldBeLessThan(5);
            doomed.Kill();
        }

        await using var rescuer = HostProcess.Start(settings);
        await rescuer.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        using var client = Client(rescuer);
        var document = await Eventually.Until(async () =>
            JsonDocument.Parse(await client.GetStringAsync(new Uri($"/api/documents/{documentId}", UriKind.Relative))).RootElement.Clone(),
            d => d.GetProperty("status").GetString() != "processing", TimeSpan.FromSeconds(180), "the document to be final after the rescue");

        document.GetProperty("pages").EnumerateArray().Select(p => p.GetProperty("state").GetString()).ShouldAllBe(state => state == "done");
        var text = await client.GetStringAsync(new Uri($"/api/documents/{documentId}/text", UriKind.Relative));
        text.Split('\f').Length.ShouldBe(5);
        text.ShouldContain("Line 30 of a long page");
    }

    private static HttpClient Client(HostProcess host)
    {
        var client = new HttpClient { BaseAddress = host.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", AppFactory.AdminKey);
        return client;
    }

    private static async Task<long> ScalarAsync(Npgsql.NpgsqlDataSource db, string sql)
    {
        await using var command = db.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
