#:sdk Microsoft.NET.Sdk.Web
#:property PublishAot=false
// Local stand-ins for the services the README's examples call, so that every example runs without the internet
// (started by ops/demo.sh; `dotnet run ops/demo/StandIns.cs -- <samples folder> <url>`):
//   GET  /gender?name=Ann   an enrichment API in the shape of genderize.io, for the rows worker type
//   POST /crm/lookup        a JSON API that wants "Authorization: Bearer demo-secret", for the rows example with a secret header
//   GET  /site/...          the HTML pages of samples/pages (addresses to find), and /robots.txt, for the scrape worker type
//   GET  /telemetry/...     the match files of samples/telemetry, as PUBG's telemetry CDN serves them, for the telemetry worker type
// Answers are made up and deterministic; nothing here is a real service.
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.FileProviders;

var samples = Path.GetFullPath(args.Length > 0 ? args[0] : "samples");
var url = args.Length > 1 ? args[1] : "http://127.0.0.1:5081";
var builder = WebApplication.CreateBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var app = builder.Build();
var pages = new PhysicalFileProvider(Path.Combine(samples, "pages"));

app.MapGet("/gender", (string? name) =>
{
    if (string.IsNullOrWhiteSpace(name))
    {
        return Results.BadRequest(new { error = "Missing 'name' parameter" });
    }
    // A stable made-up answer per name: the first byte of its hash picks the gender and the probability.
    var hash = SHA256.HashData(Encoding.UTF8.GetBytes(name.Trim().ToUpperInvariant()));
    return Results.Json(new { count = 1000 + hash[1] * 10, name, gender = hash[0] % 2 == 0 ? "female" : "male", probability = 0.5 + hash[2] / 512.0 });
});

app.MapPost("/crm/lookup", (HttpRequest request, CrmQuery query) =>
{
    if (request.Headers.Authorization != "Bearer demo-secret")
    {
        return Results.Json(new { error = "unauthorized" }, statusCode: StatusCodes.Status401Unauthorized);
    }
    var hash = SHA256.HashData(Encoding.UTF8.GetBytes(query.Email ?? ""));
    return Results.Json(new
    {
        customer = new { id = $"C-{Convert.ToHexString(hash)[..8]}", tier = hash[0] % 3 == 0 ? "gold" : "silver" },
        address = new { city = (hash[1] % 4) switch { 0 => "Lisbon", 1 => "Oslo", 2 => "Lyon", _ => "Turin" } },
        greeting = $"Hello {query.FirstName}",
    });
});

app.MapGet("/robots.txt", () => Results.File(Path.Combine(samples, "pages", "robots.txt"), "text/plain"));
app.UseStaticFiles(new StaticFileOptions { FileProvider = pages, RequestPath = "/site" });
var telemetry = Path.Combine(samples, "telemetry");
if (Directory.Exists(telemetry))
{
    // Served as they are (a .gz stays compressed), with a type the static file handler does not guess for .gz.
    app.UseStaticFiles(new StaticFileOptions
    {
        FileProvider = new PhysicalFileProvider(telemetry),
        RequestPath = "/telemetry",
        ServeUnknownFileTypes = true,
        DefaultContentType = "application/octet-stream",
    });
}

Console.WriteLine($"Stand-ins on {url}: /gender?name=…, POST /crm/lookup, /site/index.html (pages of {Path.Combine(samples, "pages")})");
app.Run(url);

internal sealed record CrmQuery(string? Email, [property: System.Text.Json.Serialization.JsonPropertyName("first_name")] string? FirstName);
