using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace HangfireApp.Workers.Packages.Osv;

/// <summary>
/// Reads OSV records: one record, a JSON array of records, or a zip archive of <c>*.json</c> record files
/// (the per-ecosystem <c>all.zip</c> that OSV publishes).
/// </summary>
public static class OsvParser
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectRequiredConstructorParameters = true,
        AllowTrailingCommas = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
    };

    /// <summary>Parses one record or an array of records.</summary>
    /// <exception cref="OsvFormatException">Not JSON, or a record lacks its <c>id</c>.</exception>
    public static IReadOnlyList<OsvRecord> Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            return FromElement(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new OsvFormatException($"Invalid OSV JSON: {e.Message}", e);
        }
    }

    /// <summary>Parses one record or an array of records from a stream (UTF-8).</summary>
    /// <exception cref="OsvFormatException">Not JSON, or a record lacks its <c>id</c>.</exception>
    public static async Task<IReadOnlyList<OsvRecord>> ParseAsync(Stream utf8Json, CancellationToken cancellationToken = default)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(utf8Json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip }, cancellationToken);
            return FromElement(doc.RootElement);
        }
        catch (JsonException e)
        {
            throw new OsvFormatException($"Invalid OSV JSON: {e.Message}", e);
        }
    }

    /// <summary>
    /// Streams the records of a zip archive entry by entry, so a large <c>all.zip</c> is never held in memory
    /// at once. Entries not ending in <c>.json</c> are skipped. The stream must be seekable (zip reads its
    /// directory from the end): buffer a network stream to a file first.
    /// </summary>
    /// <exception cref="OsvFormatException">An entry is not valid OSV; the message names the entry.</exception>
    public static async IAsyncEnumerable<OsvRecord> ReadZipAsync(
        Stream zip, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in archive.Entries)
        {
            if (!entry.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            IReadOnlyList<OsvRecord> records;
            var stream = entry.Open();
            await using (stream)
            {
                try
                {
                    records = await ParseAsync(stream, cancellationToken);
                }
                catch (OsvFormatException e)
                {
                    throw new OsvFormatException($"{entry.FullName}: {e.Message}", e);
                }
            }

            foreach (var record in records)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// Parses only the <c>affected</c> array of record <paramref name="id"/> (what matching needs), read exactly as
    /// <see cref="Parse"/> reads it inside a whole record. Null or empty text is no entries.
    /// </summary>
    /// <exception cref="OsvFormatException">The text is not an array of affected entries.</exception>
    public static IReadOnlyList<OsvAffected> ParseAffected(string id, string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return [];
        }
        try
        {
            return JsonSerializer.Deserialize<List<OsvAffected>>(json, Options) ?? [];
        }
        catch (JsonException e)
        {
            throw new OsvFormatException($"OSV record {id}: {e.Message}", e);
        }
    }

    private static List<OsvRecord> FromElement(JsonElement root)
    {
        return root.ValueKind switch
        {
            JsonValueKind.Object => [One(root)],
            JsonValueKind.Array => root.EnumerateArray().Select(One).ToList(),
            _ => throw new OsvFormatException($"Expected an OSV record or an array of records, found {root.ValueKind}."),
        };
    }

    private static OsvRecord One(JsonElement element)
    {
        var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) ? i.ToString() : "?";
        try
        {
            return element.Deserialize<OsvRecord>(Options)
                ?? throw new OsvFormatException("Expected an OSV record, found null.");
        }
        catch (JsonException e)
        {
            throw new OsvFormatException($"OSV record {id}: {e.Message}", e);
        }
    }
}
