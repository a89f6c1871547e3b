using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Documents.Ocr;

/// <summary>The OCR languages installed on this host (Tesseract's models in the tessdata folder), read once.</summary>
public sealed class TesseractLanguages(IOptions<DocumentsOptions> options)
{
    private readonly Lazy<IReadOnlyList<string>> _all = new(() => OcrEngine.AvailableLanguages(options.Value.TessdataPath));

    public IReadOnlyList<string> All => _all.Value;

    /// <summary>The first language of a Tesseract language string (<c>eng+deu</c>) that is not installed, or null.</summary>
    public string? Missing(string languages) =>
        languages.Split('+').FirstOrDefault(language => !All.Contains(language, StringComparer.Ordinal)) is { } missing ? missing : null;
}
