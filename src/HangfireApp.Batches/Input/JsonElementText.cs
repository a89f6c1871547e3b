using System.Globalization;
using System.Text.Json;

namespace HangfireApp.Batches.Input;

/// <summary>
/// <see cref="TextRules"/> over a parsed <see cref="JsonElement"/>: for documents a reader gets from a file (an OSV
/// record in a zip, an SBOM upload) rather than from a request body, which <see cref="JsonTextValidator"/> checks as
/// a stream. <see cref="JsonDocument"/> keeps invalid UTF-8 and escaped NUL or lone surrogates as they came; they
/// fail later (on first read, or in PostgreSQL), so readers call this before using the document.
/// </summary>
public static class JsonElementText
{
    /// <summary>The first string or property name that breaks the rule, with its path under <paramref name="path"/>; null when none does.</summary>
    public static JsonTextProblem? Problem(JsonElement element, string path = "$")
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Check(element, path);
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (Problem(item, $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]") is { } itemProblem)
                    {
                        return itemProblem;
                    }
                    index++;
                }
                return null;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return new JsonTextProblem(path, "has a property name that is not valid UTF-8 or holds a lone surrogate.");
                    }
                    if (TextRules.Problem(name) is { } nameProblem)
                    {
                        return new JsonTextProblem(path, $"has a property name that {nameProblem}");
                    }
                    if (Problem(property.Value, path == "$" ? name : $"{path}.{name}") is { } valueProblem)
                    {
                        return valueProblem;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static JsonTextProblem? Check(JsonElement element, string path)
    {
        try
        {
            return TextRules.Problem(element.GetString()) is { } problem ? new JsonTextProblem(path, problem) : null;
        }
        catch (InvalidOperationException)
        {
            return new JsonTextProblem(path, "is not valid UTF-8 or holds a lone surrogate.");
        }
    }
}
