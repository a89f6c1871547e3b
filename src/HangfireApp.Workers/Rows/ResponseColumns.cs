using System.Globalization;
using System.Text.Json;

namespace HangfireApp.Workers.Rows;

/// <summary>JSON pointers (RFC 6901): <c>""</c> is the whole document, <c>/a/0/b~1c</c> walks objects and arrays.</summary>
public static class JsonPointer
{
    public static bool IsValid(string text) =>
        text.Length == 0 || (text[0] == '/' && !HasBadEscape(text));

    /// <summary>The element the pointer names, or null when the document has nothing there.</summary>
    public static JsonElement? Resolve(JsonElement root, string path)
    {
        var current = root;
        if (path.Length == 0)
        {
            return current;
        }
        foreach (var raw in path[1..].Split('/'))
        {
            var token = raw.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Object && current.TryGetProperty(token, out var child))
            {
                current = child;
            }
            else if (current.ValueKind == JsonValueKind.Array && token.All(char.IsAsciiDigit) && token.Length is > 0 and < 10
                && (token == "0" || token[0] != '0') && int.Parse(token, CultureInfo.InvariantCulture) is var index && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else
            {
                return null;
            }
        }
        return current;
    }

    private static bool HasBadEscape(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '~' && (i + 1 == text.Length || text[i + 1] is not ('0' or '1')))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>
/// Turns a response body into the row's added columns. With configured columns, each is read by its JSON
/// pointer. Without, a JSON object is flattened: nested objects give dotted names (<c>address.city</c>), arrays
/// stay JSON text; any other JSON value, or a body that is not JSON, is one column <c>response</c>. Strings are
/// written as they are, numbers and booleans as JSON text, null and missing values empty. A flattened name that
/// is already an input column or <c>error</c> is prefixed with <c>response.</c>.
/// </summary>
public static class ResponseColumns
{
    public const string WholeBody = "response";
    private const int MaxDepth = 8;

    public static Dictionary<string, string> Extract(string body, bool looksLikeJson, IReadOnlyList<RowsColumn>? configured,
        IReadOnlyCollection<string> inputColumns, int maxColumns)
    {
        var columns = new Dictionary<string, string>(StringComparer.Ordinal);
        JsonDocument? document = null;
        if (body.Length > 0 && (looksLikeJson || configured is not null))
        {
            try
            {
                document = JsonDocument.Parse(body);
            }
            catch (JsonException) when (configured is null)
            {
                // Not JSON after all: kept as text below.
            }
            catch (JsonException e)
            {
                throw new FormatException($"The response is not JSON, so the configured columns cannot be read: {e.Message}", e);
            }
        }
        using (document)
        {
            if (configured is not null)
            {
                foreach (var column in configured)
                {
                    columns[column.Name!] = document is null ? "" : Text(JsonPointer.Resolve(document.RootElement, column.Location!));
                }
                return columns;
            }
            if (document is null)
            {
                if (body.Length > 0)
                {
                    columns[Unique(WholeBody, inputColumns)] = body;
                }
                return columns;
            }
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                Flatten(document.RootElement, "", 0, columns, inputColumns, maxColumns);
            }
            else
            {
                columns[Unique(WholeBody, inputColumns)] = Text(document.RootElement);
            }
            return columns;
        }
    }

    /// <summary>The text a value is written as in the CSV.</summary>
    public static string Text(JsonElement? value) => value switch
    {
        null => "",
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => "",
        { ValueKind: JsonValueKind.String } v => v.GetString()!,
        { } v => v.GetRawText(),
    };

    private static void Flatten(JsonElement element, string prefix, int depth, Dictionary<string, string> columns,
        IReadOnlyCollection<string> inputColumns, int maxColumns)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (columns.Count >= maxColumns)
            {
                return;
            }
            var name = prefix + property.Name;
            if (property.Value.ValueKind == JsonValueKind.Object && depth < MaxDepth && property.Value.EnumerateObject().Any())
            {
                Flatten(property.Value, name + ".", depth + 1, columns, inputColumns, maxColumns);
            }
            else
            {
                columns[Unique(name, inputColumns)] = Text(property.Value);
            }
        }
    }

    private static string Unique(string name, IReadOnlyCollection<string> inputColumns) =>
        inputColumns.Contains(name, StringComparer.Ordinal) || name == CsvOutputWriter.ErrorColumn ? $"{WholeBody}.{name}" : name;
}
