using System.Text.Json;

namespace HangfireApp.Workers.Packages.Osv;

/// <summary>
/// One advisory in the OSV schema (https://ossf.github.io/osv-schema/). Only the fields the scanner uses are
/// modelled; unknown fields are ignored so newer schema versions still parse.
/// </summary>
public sealed record OsvRecord
{
    public required string Id { get; init; }

    public DateTimeOffset? Modified { get; init; }

    public DateTimeOffset? Published { get; init; }

    /// <summary>Set when the advisory was retracted; the matcher treats a withdrawn record as affecting nothing.</summary>
    public DateTimeOffset? Withdrawn { get; init; }

    public IReadOnlyList<string> Aliases { get; init => field = value ?? []; } = [];

    public string? Summary { get; init; }

    public string? Details { get; init; }

    public IReadOnlyList<OsvSeverity> Severity { get; init => field = value ?? []; } = [];

    public IReadOnlyList<OsvAffected> Affected { get; init => field = value ?? []; } = [];

    /// <summary>Free-form per database; GitHub puts <c>{"severity": "HIGH"}</c> here.</summary>
    public JsonElement? DatabaseSpecific { get; init; }
}

/// <summary>A severity score: <c>type</c> is e.g. <c>CVSS_V3</c>, <c>score</c> its vector string.</summary>
public sealed record OsvSeverity(string Type, string Score);

public sealed record OsvAffected
{
    public OsvPackage? Package { get; init; }

    /// <summary>Explicitly listed affected versions, compared as the ecosystem's versions.</summary>
    public IReadOnlyList<string> Versions { get; init => field = value ?? []; } = [];

    public IReadOnlyList<OsvRange> Ranges { get; init => field = value ?? []; } = [];

    /// <summary>Severity of this package only; overrides the record's when present.</summary>
    public IReadOnlyList<OsvSeverity> Severity { get; init => field = value ?? []; } = [];
}

public sealed record OsvPackage(string Ecosystem, string Name, string? Purl = null);

/// <summary>A version range; <see cref="Type"/> is <c>SEMVER</c>, <c>ECOSYSTEM</c> or <c>GIT</c>.</summary>
public sealed record OsvRange
{
    public required string Type { get; init; }

    public string? Repo { get; init; }

    public IReadOnlyList<OsvEvent> Events { get; init => field = value ?? []; } = [];
}

/// <summary>One range event; exactly one of its properties is set.</summary>
public sealed record OsvEvent
{
    public string? Introduced { get; init; }

    public string? Fixed { get; init; }

    public string? LastAffected { get; init; }

    public string? Limit { get; init; }
}
