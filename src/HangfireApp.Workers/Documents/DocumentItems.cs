using System.Text.Json;

namespace HangfireApp.Workers.Documents;

/// <summary>The item of the document stages (preprocessing, nlp, validation).</summary>
public sealed record DocumentItem(long DocumentId);

/// <summary>The item of the ocr stage: one page.</summary>
public sealed record PageItem(long DocumentId, int PageNo);

/// <summary>The names of the pipeline's four worker types (each its own queue and worker count).</summary>
public static class DocumentStages
{
    public const string Preprocessing = "preprocessing";
    public const string Ocr = "ocr";
    public const string Nlp = "nlp";
    public const string Validation = "validation";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
}
