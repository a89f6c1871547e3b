using HangfireApp.Workers.Documents.Validation;

namespace HangfireApp.Workers.Documents;

/// <summary>The documents pipeline's settings (<c>Documents</c>); each stage's engine settings are <c>WorkerTypes:&lt;stage&gt;</c>.</summary>
public sealed class DocumentsOptions
{
    public const string Section = "Documents";

    /// <summary>Largest file (or zip entry, unpacked) accepted by <c>POST /api/documents</c>; larger ones are refused with 413.</summary>
    public long MaxFileBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>Most pages per document; more is refused with 413 naming the file.</summary>
    public int MaxPagesPerDocument { get; set; } = 500;

    /// <summary>Most documents per request, zip entries included; more is refused with 413.</summary>
    public int MaxFilesPerRequest { get; set; } = 50;

    /// <summary>Tesseract's language string when a request names none.</summary>
    public string DefaultLanguages { get; set; } = "eng";

    /// <summary>Where Tesseract's models (and the PDF renderer's pdf.ttf) are: Debian's tessdata folder.</summary>
    public string TessdataPath { get; set; } = "/usr/share/tesseract-ocr/5/tessdata";

    /// <summary>OCR threads (and so Tesseract engines per language set) of this process; one per core is fastest.</summary>
    public int OcrThreads { get; set; } = Environment.ProcessorCount;

    /// <summary>Documents this process decodes and normalises at once (each page in work holds ~40 MB).</summary>
    public int PreprocessingConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>Tesseract's per-page deadline: past it, the page keeps its partial text and is flagged for review.</summary>
    public TimeSpan PageDeadline { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Render each page as a searchable PDF page (merged per document by the nlp stage).</summary>
    public bool SearchablePdf { get; set; } = true;

    /// <summary>The region phone numbers without a country code are read in (ISO 3166 alpha-2).</summary>
    public string PhoneRegion { get; set; } = "DE";

    /// <summary>The profile of documents submitted without one.</summary>
    public string DefaultProfile { get; set; } = "generic";

    /// <summary>
    /// Validation profiles by name. <c>generic</c> and <c>invoice</c> are built in; configuration may change their rules
    /// (<c>Documents:Profiles:invoice:MinPageConfidence</c>) or add profiles.
    /// </summary>
    public Dictionary<string, ValidationProfile> Profiles { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The built-in profiles, merged under the configured ones at start.</summary>
    public static IReadOnlyDictionary<string, ValidationProfile> BuiltInProfiles { get; } = new Dictionary<string, ValidationProfile>(StringComparer.Ordinal)
    {
        ["generic"] = new() { MinPageConfidence = 60 },
        ["invoice"] = new() { MinPageConfidence = 70, RequiredEntities = ["invoice_number", "date", "amount"] },
    };

    public string? Validate()
    {
        var errors = new List<string>();
        if (MaxFileBytes < 1)
        {
            errors.Add($"{Section}:MaxFileBytes must be positive.");
        }
        if (MaxPagesPerDocument < 1)
        {
            errors.Add($"{Section}:MaxPagesPerDocument must be positive.");
        }
        if (MaxFilesPerRequest < 1)
        {
            errors.Add($"{Section}:MaxFilesPerRequest must be positive.");
        }
        if (OcrThreads is < 1 or > 256)
        {
            errors.Add($"{Section}:OcrThreads must be between 1 and 256 (it is {OcrThreads}).");
        }
        if (PreprocessingConcurrency is < 1 or > 256)
        {
            errors.Add($"{Section}:PreprocessingConcurrency must be between 1 and 256 (it is {PreprocessingConcurrency}).");
        }
        if (PageDeadline <= TimeSpan.Zero || PageDeadline > TimeSpan.FromHours(1))
        {
            errors.Add($"{Section}:PageDeadline must be between 0 and 1 hour.");
        }
        if (!Profiles.ContainsKey(DefaultProfile))
        {
            errors.Add($"{Section}:DefaultProfile '{DefaultProfile}' is not a profile ({string.Join(", ", Profiles.Keys)}).");
        }
        foreach (var (name, profile) in Profiles)
        {
            if (profile.MinPageConfidence is < 0 or > 100)
            {
                errors.Add($"{Section}:Profiles:{name}:MinPageConfidence must be between 0 and 100.");
            }
            if (profile.RequiredEntities.FirstOrDefault(type => !Nlp.EntityTypes.All.Contains(type)) is { } unknown)
            {
                errors.Add($"{Section}:Profiles:{name}:RequiredEntities has '{unknown}', which is not an entity type ({string.Join(", ", Nlp.EntityTypes.All)}).");
            }
        }
        return errors.Count == 0 ? null : string.Join(" ", errors);
    }
}
