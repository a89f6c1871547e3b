using Npgsql;

namespace HangfireApp.Workers.Packages.Scanning;

/// <summary>
/// The default scanner: loads only the advisories indexed for the package's (ecosystem, name key), in one
/// query, and matches each against the version with the OSV matcher (ranges and explicit versions, compared
/// by the ecosystem's own version rules). Withdrawn advisories never match.
/// </summary>
public sealed class LocalScanner(NpgsqlDataSource dataSource, IAdvisoryMatcher matcher) : IPackageScanner
{
    public async Task<IReadOnlyList<ScanFinding>> ScanAsync(ScanTarget target, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            select a.id, a.severity, a.aliases, a.summary, a.record::text
            from app.advisory_packages ap
            join app.advisories a on a.id = ap.advisory_id
            where ap.ecosystem = @ecosystem and ap.name_key = @key and a.withdrawn is null
            order by a.id
            """);
        command.Parameters.AddWithValue("ecosystem", target.Ecosystem);
        command.Parameters.AddWithValue("key", target.NameKey);
        var findings = new List<ScanFinding>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            // As text: the OSV parser reads it once, with no intermediate document.
            if (matcher.Match(reader.GetString(4), target) is { } match)
            {
                findings.Add(new ScanFinding(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1),
                    reader.GetFieldValue<string[]>(2), reader.IsDBNull(3) ? null : reader.GetString(3), match.FixedIn));
            }
        }
        return findings;
    }
}

/// <summary>That an advisory affects a package version, and the version that fixes it, if the advisory names one.</summary>
public sealed record AdvisoryMatch(string? FixedIn);

/// <summary>Decides whether one OSV record affects one package version. Stateless and thread-safe.</summary>
public interface IAdvisoryMatcher
{
    /// <summary>The match, or null when the OSV record (its JSON text) does not affect <paramref name="target"/>'s version.</summary>
    AdvisoryMatch? Match(string recordJson, ScanTarget target);
}
