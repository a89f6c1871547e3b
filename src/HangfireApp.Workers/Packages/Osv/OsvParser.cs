using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text.Json;
using HangfireApp.Batches.Input;

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
        // A string may hold a lone surrogate (no JSON text can: System.Text.Json would throw an ArgumentException) or a NUL.
        if (TextRules.Problem(json) is { } textProblem)
        {
            throw new OsvFormatException($"Invalid OSV JSON: the text {textProblem}");
        }
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
        if (JsonElementText.Problem(element) is { } textProblem)
        {
            // Checked first: the id itself may be the bad text, and the record is stored as jsonb.
            throw new OsvFormatException($"OSV record: {textProblem.Path} {textProblem.Message}");
        }
        var id = element.ValueKind == JsonValueKind.Object && element.TryGetProperty("id", out var i) ? i.ToString() : "?";
        OsvRecord record;
        try
        {
            record = element.Deserialize<OsvRecord>(Options)
                ?? throw new OsvFormatException("Expected an OSV record, found null.");
        }
        catch (JsonException e)
        {
            throw new OsvFormatException($"OSV record {id}: {e.Message}", e);
        }
        return Validate(record) is { } problem ? throw new OsvFormatException($"OSV record {id}: {problem}") : record;
    }

    /// <summary>The range types of the OSV schema; a record with another is refused rather than silently matching nothing.</summary>
    public static readonly IReadOnlySet<string> RangeTypes = new HashSet<string>(StringComparer.Ordinal) { "SEMVER", "ECOSYSTEM", "GIT" };

    /// <summary>
    /// What deserializing alone lets through and the matcher cannot use: null entries in lists (<c>"affected":[null]</c>
    /// ended in a NullReferenceException), ranges of an unknown type, events with no version, packages without a name.
    /// </summary>
    private static string? Validate(OsvRecord record)
    {
        if (string.IsNullOrWhiteSpace(record.Id))
        {
            return "id must not be empty.";
        }
        if (record.Aliases.Any(alias => alias is null))
        {
            return "aliases must not hold null.";
        }
        if (record.Severity.Any(severity => severity is null || severity.Type is null || severity.Score is null))
        {
            return "severity entries need a type and a score.";
        }
        for (var a = 0; a < record.Affected.Count; a++)
        {
            var affected = record.Affected[a];
            if (affected is null)
            {
                return $"affected[{a}] is null.";
            }
            if (affected.Package is { } package && (string.IsNullOrWhiteSpace(package.Ecosystem) || string.IsNullOrWhiteSpace(package.Name)))
            {
                return $"affected[{a}].package needs an ecosystem and a name.";
            }
            if (affected.Versions.Any(version => version is null))
            {
                return $"affected[{a}].versions must not hold null.";
            }
            if (affected.Severity.Any(severity => severity is null || severity.Type is null || severity.Score is null))
            {
                return $"affected[{a}].severity entries need a type and a score.";
            }
            for (var r = 0; r < affected.Ranges.Count; r++)
            {
                var range = affected.Ranges[r];
                if (range is null)
                {
                    return $"affected[{a}].ranges[{r}] is null.";
                }
                if (!RangeTypes.Contains(range.Type))
                {
                    return $"affected[{a}].ranges[{r}].type '{range.Type}' is not one of {string.Join(", ", RangeTypes)}.";
                }
                if (range.Events.Any(e => e is null || (e.Introduced ?? e.Fixed ?? e.LastAffected ?? e.Limit) is null))
                {
                    return $"affected[{a}].ranges[{r}].events need one of introduced, fixed, last_affected or limit each.";
                }
            }
        }
        return null;
    }
}
