using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;
using HangfireApp.Batches.Input;

namespace HangfireApp.Workers.Rows;

/// <summary>Limits and format of an uploaded CSV.</summary>
public sealed record CsvReadOptions
{
    /// <summary>Most data rows accepted (the header not counted).</summary>
    public int MaxRows { get; init; } = 100_000;

    /// <summary>Most bytes accepted, BOM included.</summary>
    public long MaxBytes { get; init; } = 64L * 1024 * 1024;

    /// <summary>The field delimiter, or null to detect it from the header among <c>, ; \t |</c>.</summary>
    public char? Delimiter { get; init; }
}

/// <summary>One data row: its values in header order and the line where it starts.</summary>
public sealed record CsvRow(int LineNumber, IReadOnlyList<string> Values);

/// <summary>A parsed CSV: header, rows in input order, and the delimiter it used.</summary>
public sealed record CsvTable(char Delimiter, IReadOnlyList<string> Headers, IReadOnlyList<CsvRow> Rows)
{
    /// <summary>A row's values by column name, e.g. for <see cref="UrlTemplate.Render"/>.</summary>
    public IReadOnlyDictionary<string, string> ValuesOf(CsvRow row)
    {
        var values = new Dictionary<string, string>(Headers.Count, StringComparer.Ordinal);
        for (var i = 0; i < Headers.Count; i++)
        {
            values[Headers[i]] = row.Values[i];
        }

        return values;
    }
}

/// <summary>
/// Reads an uploaded CSV (RFC 4180, via CsvHelper) into memory: UTF-8 with or without BOM (a UTF-16 BOM is
/// honoured too), delimiter detected from the header, quoted fields may hold delimiters, doubled quotes and
/// newlines, blank lines are skipped, a header row with distinct non-empty names is required and every row
/// must have as many fields as the header, and every cell follows the engine's text rule (no NUL, no lone surrogate).
/// Anything else is a <see cref="CsvInputException"/> naming the line.
/// </summary>
public static class CsvInput
{
    private static readonly char[] Candidates = [',', ';', '\t', '|'];

    /// <summary>Reads a CSV from a stream without blocking on it, up to <see cref="CsvReadOptions.MaxBytes"/>.</summary>
    /// <exception cref="CsvInputException">The input is too large, not text in a known encoding, or not valid CSV.</exception>
    public static async Task<CsvTable> ReadAsync(Stream stream, CsvReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new CsvReadOptions();
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > options.MaxBytes)
            {
                throw new CsvInputException(0, $"the file is larger than the limit of {options.MaxBytes} bytes");
            }

            buffer.Write(chunk, 0, read);
        }

        return Read(Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)), options);
    }

    /// <summary>Reads a CSV held in a string (already decoded; a leading BOM character is ignored).</summary>
    /// <exception cref="CsvInputException">The input is too large or not valid CSV.</exception>
    public static CsvTable Read(string text, CsvReadOptions? options = null)
    {
        options ??= new CsvReadOptions();
        text = text.TrimStart('\uFEFF');
        if (Encoding.UTF8.GetByteCount(text) > options.MaxBytes)
        {
            throw new CsvInputException(0, $"the file is larger than the limit of {options.MaxBytes} bytes");
        }

        var delimiter = options.Delimiter ?? DetectDelimiter(text);
        string? badField = null;
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            DetectDelimiter = false,
            HasHeaderRecord = true,
            IgnoreBlankLines = true,
            Mode = CsvMode.RFC4180,
            BadDataFound = args => badField ??= args.Field, // reported after Read() with the record's line
        };

        using var parser = new CsvParser(new StringReader(text), config);
        var lines = new LineCursor(text);
        string[]? headers = null;
        var rows = new List<CsvRow>();
        while (parser.Read())
        {
            var line = lines.StartLine(parser);
            var record = parser.Record ?? []; // CsvHelper parses fields lazily: BadDataFound fires here
            if (badField is not null)
            {
                throw new CsvInputException(line, DescribeBadField(badField));
            }

            CheckText(record, headers, line);
            if (headers is null)
            {
                headers = CheckHeaders(record, line);
                continue;
            }

            if (record.Length != headers.Length)
            {
                throw new CsvInputException(line, $"the row has {record.Length} field(s) but the header has {headers.Length}");
            }

            if (rows.Count == options.MaxRows)
            {
                throw new CsvInputException(line, $"the file has more than the limit of {options.MaxRows} rows");
            }

            rows.Add(new CsvRow(line, record));
        }

        return headers is null
            ? throw new CsvInputException(1, "the file is empty; a header row is required")
            : new CsvTable(delimiter, headers, rows);
    }

    /// <summary>
    /// The candidate (<c>, ; \t |</c>) occurring most often outside quotes in the first record; ties go to the
    /// earlier candidate, and a header without any candidate (one column) gives <c>,</c>.
    /// </summary>
    public static char DetectDelimiter(string text)
    {
        var counts = new int[Candidates.Length];
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted; // a doubled quote toggles twice, so escapes need no special case
            }
            else if (!quoted && c is '\n' or '\r')
            {
                if (counts.Any(n => n > 0))
                {
                    break;
                }
            }
            else if (!quoted && Array.IndexOf(Candidates, c) is var i and >= 0)
            {
                counts[i]++;
            }
        }

        var best = 0;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[best])
            {
                best = i;
            }
        }

        return Candidates[best];
    }

    private static string Decode(ReadOnlySpan<byte> bytes)
    {
        Encoding encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            bytes = bytes[2..];
            encoding = new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            bytes = bytes[2..];
            encoding = new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true);
        }

        try
        {
            return encoding.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            var line = e.Index >= 0 ? bytes[..Math.Min(e.Index, bytes.Length)].Count((byte)'\n') + 1 : 0;
            throw new CsvInputException(line, "the file is not UTF-8 text (save it as CSV UTF-8)", e);
        }
    }

    /// <summary>The engine's text rule (<see cref="TextRules"/>): a NUL or lone surrogate in a cell would fail in PostgreSQL.</summary>
    private static void CheckText(string[] record, string[]? headers, int line)
    {
        for (var i = 0; i < record.Length; i++)
        {
            if (TextRules.Problem(record[i]) is { } problem)
            {
                var column = headers is null ? $"header column {i + 1}" : i < headers.Length ? $"column '{headers[i]}'" : $"field {i + 1}";
                throw new CsvInputException(line, $"{column} {problem}");
            }
        }
    }

    private static string[] CheckHeaders(string[] record, int line)
    {
        var headers = record.Select(h => h.Trim()).ToArray();
        var empty = Array.FindIndex(headers, h => h.Length == 0);
        if (empty >= 0)
        {
            throw new CsvInputException(line, $"header column {empty + 1} has no name; a header row with a name for every column is required");
        }

        var duplicate = headers.GroupBy(h => h, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is not null
            ? throw new CsvInputException(line, $"header column '{duplicate.Key}' appears more than once")
            : headers;
    }

    /// <summary>
    /// Finds the physical line where a record starts. CsvHelper's RawRow is where it ends, and counts a final
    /// newline differently for an unclosed quote, so the record's character offset is used instead: the cursor
    /// moves forward only, keeping the whole file linear.
    /// </summary>
    private sealed class LineCursor(string text)
    {
        private int _offset;
        private int _line = 1;

        public int StartLine(CsvParser parser)
        {
            var start = Math.Max(_offset, (int)parser.CharCount - parser.RawRecord.Length);
            _line += text.AsSpan(_offset, start - _offset).Count('\n');
            _offset = start;
            return _line;
        }
    }

    private static string DescribeBadField(string field)
    {
        var preview = field.Length > 40 ? field[..40] + "…" : field;
        if (!field.StartsWith('"'))
        {
            return $"a quote inside the unquoted field {preview}; quote the whole field and double the quotes inside it";
        }

        var rest = field[1..].Replace("\"\"", "", StringComparison.Ordinal);
        return rest.Contains('"', StringComparison.Ordinal)
            ? $"text after the closing quote of the field {preview}"
            : $"the quoted field {preview} is never closed";
    }
}
