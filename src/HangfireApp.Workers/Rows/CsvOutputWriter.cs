using System.Globalization;
using System.Text;
using CsvHelper;
using CsvHelper.Configuration;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// Writes the enriched CSV: the input columns, then the added columns, then <c>error</c>, one row per call,
/// streaming (nothing is held back but CsvHelper's buffer). Rows appear in call order, so the caller writes
/// them in input order. Fields are quoted when needed (RFC 4180). The header is written by the constructor.
/// </summary>
public sealed class CsvOutputWriter : IDisposable, IAsyncDisposable
{
    /// <summary>The name of the last column: empty for a row that succeeded, the reason otherwise.</summary>
    public const string ErrorColumn = "error";

    private readonly CsvWriter _csv;
    private readonly int _inputCount;
    private readonly string[] _added;

    /// <param name="writer">Where the CSV goes; disposed with this writer unless <paramref name="leaveOpen"/>.</param>
    /// <param name="inputColumns">The input header, in input order.</param>
    /// <param name="addedColumns">Columns the worker adds, in output order.</param>
    /// <param name="delimiter">The field delimiter, e.g. the input's <see cref="CsvTable.Delimiter"/>.</param>
    /// <param name="leaveOpen">Leave <paramref name="writer"/> open when this writer is disposed.</param>
    /// <exception cref="ArgumentException">A column name repeats or is <c>error</c>.</exception>
    public CsvOutputWriter(TextWriter writer, IReadOnlyList<string> inputColumns, IReadOnlyList<string> addedColumns, char delimiter = ',', bool leaveOpen = false)
    {
        string[] all = [.. inputColumns, .. addedColumns, ErrorColumn];
        var duplicate = all.GroupBy(c => c, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Output column '{duplicate.Key}' would appear twice; input and added columns must be distinct and not '{ErrorColumn}'.", nameof(addedColumns));
        }

        _inputCount = inputColumns.Count;
        _added = [.. addedColumns];
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter.ToString(),
            NewLine = "\r\n",
            // With an explicit NewLine CsvHelper only quotes fields holding that exact sequence; a bare \n
            // inside a value must be quoted too, and edge spaces are quoted so no reader trims them away.
            ShouldQuote = args => args.Field is { Length: > 0 } f
                && (f.Contains('"', StringComparison.Ordinal) || f.Contains(delimiter, StringComparison.Ordinal)
                    || f.Contains('\r', StringComparison.Ordinal) || f.Contains('\n', StringComparison.Ordinal)
                    || f[0] == ' ' || f[^1] == ' '),
        };
        _csv = new CsvWriter(writer, config, leaveOpen);
        foreach (var column in all)
        {
            _csv.WriteField(column);
        }

        _csv.NextRecord();
    }

    /// <summary>A writer to a stream in UTF-8 without BOM; the stream is left open.</summary>
    public static CsvOutputWriter Create(Stream stream, IReadOnlyList<string> inputColumns, IReadOnlyList<string> addedColumns, char delimiter = ',') =>
        new(new StreamWriter(stream, new UTF8Encoding(false), leaveOpen: true), inputColumns, addedColumns, delimiter);

    /// <summary>Writes one row synchronously.</summary>
    /// <param name="inputValues">The row's input values, as many as input columns.</param>
    /// <param name="addedValues">Values of added columns by name; a missing one is written empty.</param>
    /// <param name="error">Why the row failed, or null.</param>
    /// <exception cref="ArgumentException">Wrong number of input values, or a value for an unknown column.</exception>
    public void WriteRow(IReadOnlyList<string> inputValues, IReadOnlyDictionary<string, string?>? addedValues, string? error)
    {
        WriteFields(inputValues, addedValues, error);
        _csv.NextRecord();
    }

    /// <summary>Writes one row, flushing to the underlying writer asynchronously (for response bodies).</summary>
    /// <inheritdoc cref="WriteRow" />
    public Task WriteRowAsync(IReadOnlyList<string> inputValues, IReadOnlyDictionary<string, string?>? addedValues, string? error)
    {
        WriteFields(inputValues, addedValues, error);
        return _csv.NextRecordAsync();
    }

    /// <summary>Flushes buffered rows to the underlying writer and stream.</summary>
    public Task FlushAsync() => _csv.FlushAsync();

    public void Dispose() => _csv.Dispose();

    public ValueTask DisposeAsync() => _csv.DisposeAsync();

    private void WriteFields(IReadOnlyList<string> inputValues, IReadOnlyDictionary<string, string?>? addedValues, string? error)
    {
        if (inputValues.Count != _inputCount)
        {
            throw new ArgumentException($"Expected {_inputCount} input value(s), got {inputValues.Count}.", nameof(inputValues));
        }

        var unknown = addedValues?.Keys.Where(k => !_added.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown is { Count: > 0 })
        {
            throw new ArgumentException($"No added column named {string.Join(", ", unknown)}; added columns are: {string.Join(", ", _added)}.", nameof(addedValues));
        }

        foreach (var value in inputValues)
        {
            _csv.WriteField(value);
        }

        foreach (var column in _added)
        {
            _csv.WriteField(addedValues?.GetValueOrDefault(column) ?? "");
        }

        _csv.WriteField(error ?? "");
    }
}
