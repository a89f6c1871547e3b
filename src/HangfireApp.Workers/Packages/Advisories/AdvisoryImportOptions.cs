namespace HangfireApp.Workers.Packages.Advisories;

/// <summary>
/// Limits of one advisory import (<c>WorkerTypes:packages:Import</c>). An import over a limit is refused with
/// 413 and nothing is written. The import streams, so memory does not grow with these numbers: they bound the
/// work (and the database rows) one request may cause, e.g. a zip bomb's gigabytes of decompressed output.
/// </summary>
public sealed class AdvisoryImportOptions
{
    /// <summary>Bytes decompressed from all entries of the zip(s) of one import, together. Default 4 GiB: OSV's
    /// largest per-ecosystem <c>all.zip</c> inflates to well under that.</summary>
    public long MaxDecompressedBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>Entries (of any name) in the zip(s) of one import. Default 1,000,000.</summary>
    public int MaxEntries { get; set; } = 1_000_000;

    /// <summary>Bytes of one zip entry once decompressed, i.e. of one OSV record. Default 16 MiB (real records
    /// are a few KB, the largest about 1 MB).</summary>
    public long MaxEntryBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>OSV records in one import (zip entries and JSON array elements). Default 1,000,000.</summary>
    public int MaxRecords { get; set; } = 1_000_000;

    /// <summary>
    /// Bytes inflated per byte of zip read, for the import so far (checked once 1 MiB has been inflated). Default 100:
    /// OSV JSON compresses about 3 to 10 times; a zip bomb's entries about 1,000 times, so it is refused after its
    /// first megabyte instead of after <see cref="MaxDecompressedBytes"/>.
    /// </summary>
    public int MaxCompressionRatio { get; set; } = 100;

    /// <summary>Invalid records named in a 400 answer; reading stops at this many.</summary>
    public int MaxReportedErrors { get; set; } = 100;

    public string? Validate(string section)
    {
        if (MaxDecompressedBytes < 1024 * 1024)
        {
            return $"{section}:MaxDecompressedBytes must be at least 1 MiB (it is {MaxDecompressedBytes}).";
        }
        if (MaxEntryBytes < 1024 || MaxEntryBytes > MaxDecompressedBytes)
        {
            return $"{section}:MaxEntryBytes must be between 1 KiB and MaxDecompressedBytes (it is {MaxEntryBytes}).";
        }
        if (MaxEntries < 1 || MaxRecords < 1 || MaxReportedErrors < 1 || MaxCompressionRatio < 1)
        {
            return $"{section}:MaxEntries, MaxRecords, MaxReportedErrors and MaxCompressionRatio must be at least 1.";
        }
        return null;
    }
}
