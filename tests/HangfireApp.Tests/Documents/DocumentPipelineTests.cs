using System.Net;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.TestSupport.Documents;
using UglyToad.PdfPig;

namespace HangfireApp.Tests.Documents;

/// <summary>The documents pipeline end to end on a real host with real Tesseract, on pages with known text.</summary>
[Collection(DocumentsTests.Name)]
public sealed class DocumentPipelineTests(DocumentsFixture fixture)
{
    private static string Known => string.Join('\n', DocumentsFixture.InvoiceLines);

    [Fact]
    public async Task Submit_RunsEveryStage_ForScansPdfsTiffsAndUnreadablePages()
    {
        // One zip and two loose files in one request: every document travels through the four stages in one pipeline.
        var zip = DocumentsFixture.Zip(
            ("clean.png", DocumentsFixture.Scan(DocumentsFixture.InvoiceLines)),
            ("skewed-noisy.png", DocumentsFixture.Scan(DocumentsFixture.InvoiceLines, skew: 3, noise: 25)),
            ("born-digital.pdf", DocumentsFixture.TextPdf(DocumentsFixture.InvoiceLines)));
        var (status, body) = await fixture.SubmitAsync(
        [
            ("scans.zip", zip),
            ("two-pages.tif", DocumentsFixture.Tiff("First page of the letter", "Second page of the letter")),
            ("unreadable.png", DocumentsFixture.Scan(DocumentsFixture.InvoiceLines, blur: 16)),
        ], new() { ["profile"] = "invoice", ["description"] = "pipeline test" });

        status.ShouldBe(202, body.ToString());
        var documents = body.GetProperty("documents").EnumerateArray()
            .ToDictionary(d => d.GetProperty("fileName").GetString()!, d => d.GetProperty("id").GetInt64());
        documents.Keys.ShouldBe(["scans.zip/clean.png", "scans.zip/skewed-noisy.png", "scans.zip/born-digital.pdf", "two-pages.tif", "unreadable.png"],
            ignoreOrder: true);
        var batchId = body.GetProperty("batchId").GetInt64();

        var clean = await fixture.WaitFinalAsync(documents["scans.zip/clean.png"]);
        clean.GetProperty("status").GetString().ShouldBe("valid", clean.ToString());
        clean.GetProperty("batchId").GetInt64().ShouldBe(batchId);
        clean.GetProperty("language").GetString().ShouldBe("eng");
        var page = clean.GetProperty("pages")[0];
        page.GetProperty("source").GetString().ShouldBe("image");
        page.GetProperty("confidence").GetDouble().ShouldBeGreaterThan(80);
        var entities = clean.GetProperty("entities").EnumerateArray().ToList();
        Entity(entities, "iban").GetProperty("value").GetString().ShouldBe("DE89370400440532013000");
        Entity(entities, "iban").GetProperty("valid").GetBoolean().ShouldBeTrue();
        Entity(entities, "invoice_number").GetProperty("value").GetString().ShouldBe("2024-117");
        Entity(entities, "date").GetProperty("value").GetString().ShouldBe("2024-03-12");
        Entity(entities, "amount").GetProperty("value").GetString().ShouldBe("EUR 1234.56");
        Entity(entities, "email").GetProperty("value").GetString().ShouldBe("billing@acme.example");
        Entity(entities, "phone").GetProperty("value").GetString().ShouldBe("+442079460958");
        Entity(entities, "iban").GetProperty("page").GetInt32().ShouldBe(1);

        var text = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{documents["scans.zip/clean.png"]}/text", UriKind.Relative));
        TextDistance.ErrorRate(Known, text).ShouldBeLessThan(0.03, text);
        var hocr = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{documents["scans.zip/clean.png"]}/hocr", UriKind.Relative));
        hocr.ShouldContain("ocrx_word");
        hocr.ShouldContain("2024-117");
        // The searchable PDF carries the recognised text as its text layer.
        var pdf = await fixture.Api.GetByteArrayAsync(new Uri($"/api/documents/{documents["scans.zip/clean.png"]}/searchable.pdf", UriKind.Relative));
        using (var searchable = PdfDocument.Open(pdf))
        {
            searchable.NumberOfPages.ShouldBe(1);
            searchable.GetPage(1).Text.ShouldContain("2024-117");
        }

        var noisy = await fixture.WaitFinalAsync(documents["scans.zip/skewed-noisy.png"]);
        noisy.GetProperty("status").GetString().ShouldBe("valid", noisy.ToString());
        Math.Abs(noisy.GetProperty("pages")[0].GetProperty("skew").GetDouble() + 3).ShouldBeLessThan(0.5);
        var noisyText = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{documents["scans.zip/skewed-noisy.png"]}/text", UriKind.Relative));
        TextDistance.ErrorRate(Known, noisyText).ShouldBeLessThan(0.06, noisyText);

        var digital = await fixture.WaitFinalAsync(documents["scans.zip/born-digital.pdf"]);
        digital.GetProperty("status").GetString().ShouldBe("valid", digital.ToString());
        digital.GetProperty("pages")[0].GetProperty("source").GetString().ShouldBe("text_layer");
        var digitalText = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{documents["scans.zip/born-digital.pdf"]}/text", UriKind.Relative));
        TextDistance.ErrorRate(Known, digitalText).ShouldBeLessThan(0.01, digitalText);

        var tiff = await fixture.WaitFinalAsync(documents["two-pages.tif"]);
        tiff.GetProperty("pages").GetArrayLength().ShouldBe(2);
        // The invoice profile wants an invoice number, a date and an amount: a letter has none.
        tiff.GetProperty("status").GetString().ShouldBe("needs_review");
        tiff.GetProperty("validation").GetProperty("reasons").EnumerateArray().Select(r => r.GetString()).ShouldContain("Required field missing: invoice_number.");
        var tiffText = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{documents["two-pages.tif"]}/text", UriKind.Relative));
        tiffText.Split('\f').Length.ShouldBe(2);
        tiffText.Split('\f')[1].ShouldContain("Second page");

        var unreadable = await fixture.WaitFinalAsync(documents["unreadable.png"]);
        unreadable.GetProperty("status").GetString().ShouldBe("needs_review", "an unreadable page is for review, not an error");
        unreadable.GetProperty("validation").GetProperty("reasons").EnumerateArray()
            .ShouldContain(reason => reason.GetString()!.StartsWith("Page 1 confidence", StringComparison.Ordinal));

        var review = await fixture.GetJsonAsync("/api/documents?status=needs_review");
        review.GetProperty("documents").EnumerateArray().Select(d => d.GetProperty("id").GetInt64())
            .ShouldContain(documents["unreadable.png"]);
    }

    [Fact]
    public async Task Sample_InvoiceScanOfTheReadme_IsValid()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "HangfireApp.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new DirectoryNotFoundException("The repository root was not found.");
        }
        var sample = await File.ReadAllBytesAsync(Path.Combine(root, "samples", "documents", "invoice-scan.jpg"));

        var (status, body) = await fixture.SubmitAsync([("invoice-scan.jpg", sample)], new() { ["profile"] = "invoice" });

        status.ShouldBe(202, body.ToString());
        var document = await fixture.WaitFinalAsync(body.GetProperty("documents")[0].GetProperty("id").GetInt64());
        document.GetProperty("status").GetString().ShouldBe("valid", document.ToString());
        var entities = document.GetProperty("entities").EnumerateArray().ToList();
        Entity(entities, "vat_id").GetProperty("value").GetString().ShouldBe("DE136695976");
        Entity(entities, "vat_id").GetProperty("valid").GetBoolean().ShouldBeTrue();
        entities.Where(e => e.GetProperty("type").GetString() == "amount").Select(e => e.GetProperty("value").GetString()).ShouldContain("EUR 339.27");
    }

    [Fact]
    public async Task Submit_RefusesACorruptFile_NamingItAndWritingNothing()
    {
        var before = await fixture.CountDocumentsAsync();
        var pdf = DocumentsFixture.TextPdf(["hello"]);

        var (status, body) = await fixture.SubmitAsync([("good.png", DocumentsFixture.Scan(["fine"])), ("broken.pdf", pdf[..(pdf.Length / 3)])]);

        status.ShouldBe(400, body.ToString());
        body.GetProperty("title").GetString().ShouldNotBeNull().ShouldContain("broken.pdf");
        body.GetProperty("errors").GetProperty("fileName")[0].GetString().ShouldBe("broken.pdf");
        (await fixture.CountDocumentsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Submit_RefusesAnUnsupportedFile_NamingIt()
    {
        var (status, body) = await fixture.SubmitAsync([("notes.txt", "just some text, not a scan"u8.ToArray())]);

        status.ShouldBe(400);
        body.GetProperty("title").GetString().ShouldNotBeNull().ShouldContain("notes.txt");
    }

    [Fact]
    public async Task Submit_Answers413NamingTheFile_WhenAFileIsOverTheLimit()
    {
        var before = await fixture.CountDocumentsAsync();
        var large = new byte[DocumentsFixture.MaxFileBytes + 1];
        "%PDF-1.7\n"u8.CopyTo(large);

        var (status, body) = await fixture.SubmitAsync([("huge.pdf", large)]);

        status.ShouldBe(413, body.ToString());
        body.GetProperty("title").GetString().ShouldNotBeNull().ShouldContain("huge.pdf");
        (await fixture.CountDocumentsAsync()).ShouldBe(before);
    }

    [Fact]
    public async Task Submit_Answers413NamingTheFile_WhenADocumentHasTooManyPages()
    {
        var (status, body) = await fixture.SubmitAsync([("long.tif", DocumentsFixture.Tiff("1", "2", "3", "4", "5", "6"))]);

        status.ShouldBe(413, body.ToString());
        body.GetProperty("title").GetString().ShouldNotBeNull().ShouldContain("long.tif");
    }

    [Fact]
    public async Task Submit_RefusesALanguageThatIsNotInstalled()
    {
        var (status, body) = await fixture.SubmitAsync([("a.png", DocumentsFixture.Scan(["a"]))], new() { ["languages"] = "eng+klingon" });

        status.ShouldBe(400);
        body.GetProperty("title").GetString().ShouldNotBeNull().ShouldContain("klingon");
    }

    [Fact]
    public async Task Languages_ListsTheInstalledModels()
    {
        var languages = await fixture.GetJsonAsync("/api/documents/languages");

        languages.GetProperty("languages").EnumerateArray().Select(l => l.GetString()).ShouldContain("eng");
        languages.GetProperty("default").GetString().ShouldBe("eng");
    }

    [Fact]
    public async Task Rerun_ReprocessesOnlyTheFailedPages_AndRefusesWhenThereAreNone()
    {
        var (status, body) = await fixture.SubmitAsync([("letter.tif", DocumentsFixture.Tiff("Page one of the letter", "Page two of the letter"))]);
        status.ShouldBe(202, body.ToString());
        var id = body.GetProperty("documents")[0].GetProperty("id").GetInt64();
        await fixture.WaitFinalAsync(id);
        using (var none = await fixture.Api.PostAsync(new Uri($"/api/documents/{id}/rerun", UriKind.Relative), null))
        {
            none.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        }

        // Page 2 as if its OCR had failed for good.
        await using (var fail = fixture.Db.CreateCommand("""
            update app.document_pages set state = 'failed', error = 'simulated', text = null where document_id = @id and page_no = 2;
            update app.documents set status = 'needs_review' where id = @id;
            """))
        {
            fail.Parameters.AddWithValue("id", id);
            await fail.ExecuteNonQueryAsync();
        }
        using var rerun = await fixture.Api.PostAsync(new Uri($"/api/documents/{id}/rerun", UriKind.Relative), null);
        var rerunBody = JsonDocument.Parse(await rerun.Content.ReadAsStringAsync()).RootElement;
        rerun.StatusCode.ShouldBe(HttpStatusCode.Accepted, rerunBody.ToString());
        rerunBody.GetProperty("pages").EnumerateArray().Select(p => p.GetInt32()).ShouldBe([2]);

        var final = await fixture.WaitFinalAsync(id);
        final.GetProperty("pages")[1].GetProperty("state").GetString().ShouldBe("done");
        var text = await fixture.Api.GetStringAsync(new Uri($"/api/documents/{id}/text", UriKind.Relative));
        text.Split('\f')[1].ShouldContain("two");
    }

    [Fact]
    public async Task CancellingTheOcrBatch_StopsItsPagesMidWay_AndEndsTheDocumentFailed()
    {
        var lines = Enumerable.Range(0, 38).Select(n => $"Line {n} of a dense page with quite a lot of words on it").ToArray();
        var (status, body) = await fixture.SubmitAsync([("dense.tif", DocumentsFixture.DenseTiff(3, lines))]);
        status.ShouldBe(202, body.ToString());
        var id = body.GetProperty("documents")[0].GetProperty("id").GetInt64();
        var preprocessing = body.GetProperty("batchId").GetInt64();
        var ocr = await Eventually.Until(() => ScalarAsync($"""
            select coalesce(max(b.id), 0) from app.batches b join app.chunks c on c.batch_id = b.id
            where b.parent_batch_id = {preprocessing} and b.worker_type = 'ocr' and c.state = 'running'
            """), batch => batch > 0, TimeSpan.FromSeconds(60), "the ocr batch to run");

        using (var cancel = await fixture.Api.PostAsync(new Uri($"/api/batches/{ocr}/cancel", UriKind.Relative), null))
        {
            ((int)cancel.StatusCode).ShouldBeOneOf([200, 202], await cancel.Content.ReadAsStringAsync());
        }

        var batch = await fixture.Api.WaitFinalAsync(ocr, TimeSpan.FromSeconds(60));
        batch.State.ShouldBe("cancelled");
        // The page's own watch saw the cancel (before the chunk's heartbeat did) and stopped the chunk: the chunk closes
        // cancelled on its first attempt, not after a retry that only then finds the batch cancelled.
        (await ScalarAsync($"select max(attempt) from app.chunks where batch_id = {ocr}")).ShouldBe(1);
        (await ScalarAsync($"select count(*) from app.document_pages where document_id = {id} and state = 'done'")).ShouldBeLessThan(3);
        var document = await fixture.WaitFinalAsync(id);
        document.GetProperty("status").GetString().ShouldBe("failed");
        document.GetProperty("validation").GetProperty("reasons")[0].GetString().ShouldNotBeNull().ShouldContain("cancelled");
        var latency = await ScalarAsync($"""
            select coalesce(round(extract(epoch from max(c.finished_at) - max(b.cancel_requested_at)) * 1000), -1)::bigint
            from app.batches b join app.chunks c on c.batch_id = b.id where b.id = {ocr}
            """);
        TestContext.Current.TestOutputHelper?.WriteLine($"cancel → last ocr chunk closed: {latency} ms");
    }

    [Fact]
    public async Task Get_Answers404_ForAnUnknownDocument()
    {
        using var response = await fixture.Api.GetAsync(new Uri("/api/documents/987654321", UriKind.Relative));
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var pdf = await fixture.Api.GetAsync(new Uri("/api/documents/987654321/searchable.pdf", UriKind.Relative));
        pdf.StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = fixture.Db.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static JsonElement Entity(List<JsonElement> entities, string type) =>
        entities.FirstOrDefault(e => e.GetProperty("type").GetString() == type) is { ValueKind: JsonValueKind.Object } entity
            ? entity
            : throw new ShouldAssertException($"No {type} entity in {string.Join(", ", entities)}");
}
