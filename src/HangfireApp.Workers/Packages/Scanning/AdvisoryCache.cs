using HangfireApp.Workers.Packages.Osv;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>An advisory as a scan needs it: its compiled matcher and the columns a finding copies.</summary>
/// <param name="Modified">The record's <c>modified</c> when it was read.</param>
/// <param name="RowVersion">The row's <c>xmin</c> when it was read: it changes whenever the row is rewritten.</param>
/// <param name="Matcher">The record's <c>affected</c> entries, compiled.</param>
/// <param name="Severity">The advisory's severity column, copied into findings.</param>
/// <param name="Aliases">The advisory's aliases, copied into findings.</param>
/// <param name="Summary">The advisory's summary, copied into findings.</param>
public sealed record CachedAdvisory(DateTime Modified, uint RowVersion, CompiledAdvisory Matcher, string? Severity, string[] Aliases, string? Summary);

/// <summary>
/// The compiled advisories of this host, shared by every chunk and slice it scans, so each OSV record is read and
/// parsed once rather than once per package. An entry is used only while the database row still has the same
/// <c>modified</c> and row version (the scan reads both with the advisory index, in the same round trip), so a
/// re-import of a newer record, or any other rewrite of the row, is picked up by the next slice. Bounded by
/// <see cref="PackagesOptions.AdvisoryCacheSize"/> entries; the least recently used go first.
/// </summary>
public sealed class AdvisoryCache : IDisposable
{
    private readonly MemoryCache _cache;

    public AdvisoryCache(IOptions<PackagesOptions> options)
    {
        _cache = new MemoryCache(new MemoryCacheOptions { SizeLimit = options.Value.AdvisoryCacheSize });
    }

    /// <summary>The cached advisory, if it was read at exactly this <paramref name="modified"/> and row version.</summary>
    public CachedAdvisory? Get(string id, DateTime modified, uint rowVersion) =>
        _cache.TryGetValue(id, out CachedAdvisory? advisory) && advisory!.Modified == modified && advisory.RowVersion == rowVersion
            ? advisory
            : null;

    /// <summary>
    /// An advisory row as a scan reads it (<c>record-&gt;'affected'</c> as text, plus the columns a finding copies),
    /// compiled. Throws <see cref="OsvFormatException"/> when its <c>affected</c> entries are not valid OSV.
    /// </summary>
    public static CachedAdvisory Compile(string id, DateTime modified, uint rowVersion, string? severity, string[] aliases, string? summary, string? affectedJson) =>
        new(modified, rowVersion, new CompiledAdvisory(id, OsvParser.ParseAffected(id, affectedJson)), severity, aliases, summary);

    public void Set(string id, CachedAdvisory advisory) =>
        _cache.Set(id, advisory, new MemoryCacheEntryOptions { Size = 1 });

    public void Dispose() => _cache.Dispose();
}
