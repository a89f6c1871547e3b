using System.Text;
using System.Text.Json;
using CsCheck;
using HangfireApp.Batches.Input;
using HangfireApp.Batches.Submit;
using HangfireApp.UnitTests.Packages;
using HangfireApp.Workers.Packages;
using HangfireApp.Workers.Packages.Advisories;
using HangfireApp.Workers.Packages.Osv;
using HangfireApp.Workers.Packages.Sbom;
using HangfireApp.Workers.Rows;
using HangfireApp.Workers.Scrape;

namespace HangfireApp.UnitTests.Input;

/// <summary>
/// The parsers fuzzed directly (issue 9, "Bad input" suite), with CsCheck, for a bounded number of generated inputs:
/// mutations of real files and random text. Each parser may refuse an input only with its own documented exception
/// (which the API turns into a 4xx), never anything else; what it accepts follows the engine's text rule.
/// </summary>
public sealed class ParserFuzzTests
{
    private const int Iterations = 400;

    /// <summary>Fragments that break JSON or its text in the ways the issue lists.</summary>
    private static readonly string[] JsonFragments =
    [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "0", "-", "1e400", "\\u0000", "\\ud800", "\\udc00", "\\", "\u0000",
        "\ud800", "\"affected\":[null]", "\"type\":\"CALVER\"", "[[[[[[[[[[[[[[[[", "é", "😀", "\u0001", "{\"a\":", "\"purl\":\"pkg:\"",
    ];

    /// <summary><paramref name="text"/> with one to five random edits: a fragment inserted, a range deleted or doubled.</summary>
    /// <summary>The text as a JSON document, or null if it is not JSON (an ArgumentException: a string with a lone
    /// surrogate cannot be JSON text).</summary>
    private static JsonDocument? ParseJsonOrNull(string text)
    {
        try
        {
            return JsonDocument.Parse(text);
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static Gen<string> Mutated(string text) =>
        Gen.Select(Gen.Int[0, 2], Gen.Int[0, text.Length], Gen.Int[0, 40], Gen.Int[0, JsonFragments.Length - 1]).Array[1, 5].Select(edits =>
        {
            var result = new StringBuilder(text);
            foreach (var (kind, at, length, fragment) in edits)
            {
                var position = Math.Min(at, result.Length);
                var span = Math.Min(length, result.Length - position);
                switch (kind)
                {
                    case 0:
                        result.Insert(position, JsonFragments[fragment]);
                        break;
                    case 1:
                        result.Remove(position, span);
                        break;
                    default:
                        result.Insert(position, result.ToString(position, span));
                        break;
                }
            }
            return result.ToString();
        });

    [Fact]
    public void JsonTextValidator_NeverThrows_AndWhatItAcceptsReadsCleanly()
    {
        var seeds = Directory.GetFiles(Fixtures.Directory, "*.json").Select(File.ReadAllText).ToArray();
        var bytes = Gen.OneOf(
            Gen.Int[0, seeds.Length - 1].SelectMany(i => Mutated(seeds[i])).Select(text => Encoding.UTF8.GetBytes(text)),
            Gen.Byte.Array[0, 300]);

        bytes.Sample(json =>
        {
            var problem = JsonTextValidator.Validate(json);
            var streamed = JsonTextValidator.ValidateAsync(new MemoryStream(json)).GetAwaiter().GetResult();
            streamed.ShouldBe(problem);
            if (problem is null && json.Length > 0)
            {
                // Accepted: parses, and every string and name reads back within the rule.
                using var document = JsonDocument.Parse(json);
                JsonElementText.Problem(document.RootElement).ShouldBeNull();
            }
        }, iter: Iterations, threads: 1, print: json => Convert.ToHexString(json.AsSpan(0, Math.Min(json.Length, 120))));
    }

    [Fact]
    public void Csv_RefusesOnlyWithCsvInputException_AndAcceptedCellsFollowTheTextRule()
    {
        var csv = Gen.String[Gen.Char[",;\t|\"\n\r x1é\0\ud800\udc00"], 0, 200];

        csv.Sample(text =>
        {
            try
            {
                var table = CsvInput.Read(text);
                table.Headers.ShouldAllBe(header => TextRules.IsValid(header));
                table.Rows.SelectMany(row => row.Values).ShouldAllBe(value => TextRules.IsValid(value));
            }
            catch (CsvInputException)
            {
                // A refusal the API answers with a 400 naming the line.
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Osv_RefusesOnlyWithItsFormatExceptions()
    {
        var seeds = Directory.GetFiles(Fixtures.Directory, "*.json").Where(path => !path.Contains("sbom", StringComparison.OrdinalIgnoreCase))
            .Select(File.ReadAllText).ToArray();

        Gen.Int[0, seeds.Length - 1].SelectMany(i => Mutated(seeds[i])).Sample(text =>
        {
            try
            {
                foreach (var record in OsvParser.Parse(text))
                {
                    record.Affected.ShouldAllBe(affected => affected != null && affected.Ranges.All(range => OsvParser.RangeTypes.Contains(range.Type)));
                }
            }
            catch (OsvFormatException)
            {
            }
            if (ParseJsonOrNull(text) is not { } document)
            {
                return;
            }
            using (document)
            {
                try
                {
                    AdvisoryRow.From(document.RootElement);
                }
                catch (FormatException)
                {
                    // The import answers a 400 naming the record.
                }
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Sbom_RefusesOnlyWithItsDocumentedExceptions()
    {
        var seed = Fixtures.Text("cyclonedx-sbom.json");

        Mutated(seed).Sample(text =>
        {
            try
            {
                CycloneDxReader.Read(text);
            }
            catch (Exception e) when (e is JsonException or FormatException)
            {
            }
            if (ParseJsonOrNull(text) is not { } document)
            {
                return;
            }
            using (document)
            {
                try
                {
                    SbomRegistration.Read(document.RootElement, "file", "normal");
                }
                catch (BatchRequestException e)
                {
                    e.StatusCode.ShouldBeInRange(400, 499);
                }
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void RobotsTxt_ParsesAnything_AndAnswersForAnyAgentAndPath()
    {
        var line = Gen.OneOf(
            Gen.OneOf<string>("User-agent: *", "User-agent: HangfireAppScraper", "Disallow: /", "Allow: /a$", "Disallow: /*?q=", "Crawl-delay: 5",
                "Crawl-delay: -1", "Crawl-delay: 1e400", "Crawl-delay: NaN", "Sitemap: https://x.example/s.xml", "Disallow: *", "Allow:", "#", "User-agent:"),
            Gen.String[Gen.Char[":*$/?#\t \0\ud800aZ9é"], 0, 40]);
        var robots = line.Array[0, 30].Select(lines => string.Join('\n', lines));
        var path = Gen.String[Gen.Char["/*$?=&%aZ9é\0 "], 0, 30];
        var agent = Gen.OneOf(Gen.OneOf<string>("HangfireAppScraper/1.0", "*", ""), Gen.String[0, 20]);

        Gen.Select(robots, agent, path).Sample((text, userAgent, p) =>
        {
            var parsed = RobotsTxt.Parse(text);
            parsed.IsAllowed(userAgent, p);
            parsed.CrawlDelay(userAgent);
        }, iter: Iterations, threads: 1);
    }
}
