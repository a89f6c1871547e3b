using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text.Json;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers.Documents.Native;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace HangfireApp.Tests.Documents;

/// <summary>
/// One real host running the four document stages on their queues with real Tesseract (two OCR threads), on its own
/// database. Tests submit their own documents and look only at those.
/// </summary>
public sealed class DocumentsFixture : HostFixture
{
    public const long MaxFileBytes = 8 * 1024 * 1024;

    public static Dictionary<string, string?> Settings()
    {
        var settings = EngineFixture.EngineSettings();
        settings["Hangfire:Servers:0:Queues:2"] = "preprocessing";
        settings["Hangfire:Servers:0:Queues:3"] = "ocr";
        settings["Hangfire:Servers:0:Queues:4"] = "nlp";
        settings["Hangfire:Servers:0:Queues:5"] = "validation";
        settings["Hangfire:Servers:0:WorkerCount"] = "6";
        settings["Documents:OcrThreads"] = "2";
        settings["Documents:MaxFileBytes"] = MaxFileBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Documents:MaxFilesPerRequest"] = "10";
        settings["Documents:MaxPagesPerDocument"] = "5";
        foreach (var stage in new[] { "preprocessing", "ocr", "nlp", "validation" })
        {
            settings[$"WorkerTypes:{stage}:Retry:Attempts"] = "2";
            settings[$"WorkerTypes:{stage}:Retry:DelaysSeconds:0"] = "1";
        }
        return settings;
    }

    protected override Dictionary<string, string?> HostSettings() => Settings();

    /// <summary>POSTs files (name, bytes) to <c>/api/documents</c> with form fields; the status and the body.</summary>
    public async Task<(int Status, JsonElement Body)> SubmitAsync(IEnumerable<(string Name, byte[] Content)> files, Dictionary<string, string>? fields = null,
        string? idempotencyKey = null)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, content) in files)
        {
            var part = new ByteArrayContent(content);
            part.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            form.Add(part, "file", name);
        }
        foreach (var (key, value) in fields ?? [])
        {
            form.Add(new StringContent(value), key);
        }
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = form };
        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }
        using var response = await Api.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var response = await Api.GetAsync(new Uri(path, UriKind.Relative));
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Waits until the document has left <c>processing</c> and returns its details.</summary>
    public Task<JsonElement> WaitFinalAsync(long documentId, TimeSpan? timeout = null) =>
        Eventually.Until(() => GetJsonAsync($"/api/documents/{documentId}"), document => document.GetProperty("status").GetString() != "processing",
            timeout ?? TimeSpan.FromSeconds(120), $"document {documentId} to be final");

    public async Task<long> CountDocumentsAsync()
    {
        await using var command = Db.CreateCommand("select count(*) from app.documents");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public static readonly string[] InvoiceLines =
    [
        "ACME Supplies Ltd, 12 High Street, London",
        "",
        "Invoice No: 2024-117",
        "Date: 12.03.2024",
        "",
        "IBAN: DE89 3704 0044 0532 0130 00",
        "Total: EUR 1,234.56",
        "",
        "Contact: billing@acme.example, +44 20 7946 0958",
    ];

    public static byte[] Png(Pix page) => page.Encode(3);

    /// <summary>A scan as a PNG: <paramref name="skew"/> degrees askew, Gaussian noise, blur.</summary>
    public static byte[] Scan(IReadOnlyList<string> lines, double skew = 0, double noise = 0, int blur = 0)
    {
        using var page = ScanSimulator.Render(lines, skewDegrees: skew, noise: noise, blur: blur);
        return Png(page);
    }

    /// <summary>A multi-page TIFF of <paramref name="pages"/> full A4 pages, each with the same lines.</summary>
    public static byte[] DenseTiff(int pages, string[] lines)
    {
        var path = Path.Combine(Path.GetTempPath(), $"documents-test-{Guid.NewGuid():N}.tif");
        try
        {
            for (var n = 0; n < pages; n++)
            {
                using var page = ScanSimulator.Render(lines);
                page.AppendToTiff(path, first: n == 0);
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A multi-page TIFF, one short page per line.</summary>
    public static byte[] Tiff(params string[] pages)
    {
        var path = Path.Combine(Path.GetTempPath(), $"documents-test-{Guid.NewGuid():N}.tif");
        try
        {
            for (var n = 0; n < pages.Length; n++)
            {
                using var page = ScanSimulator.Render([pages[n]], width: 2480, height: 800);
                page.AppendToTiff(path, first: n == 0);
            }
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>A born-digital PDF: one page of Helvetica text.</summary>
    public static byte[] TextPdf(IReadOnlyList<string> lines)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var line in lines)
        {
            page.AddText(line, 11, new PdfPoint(60, y), font);
            y -= 16;
        }
        return builder.Build();
    }

    public static byte[] Zip(params (string Name, byte[] Content)[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.Fastest).Open();
                stream.Write(content);
            }
        }
        return memory.ToArray();
    }
}

[CollectionDefinition(Name)]
public sealed class DocumentsTests : ICollectionFixture<DocumentsFixture>
{
    public const string Name = "documents";
}
