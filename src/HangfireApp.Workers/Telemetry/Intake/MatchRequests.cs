using HangfireApp.Batches.Outbound;
using HangfireApp.Batches.Submit;

namespace HangfireApp.Workers.Telemetry.Intake;

/// <summary>A match to fetch by URL, as the API and the RabbitMQ intake receive it: <c>{matchId, telemetryUrl}</c>.</summary>
public sealed record MatchUrlInput(string? MatchId, string? TelemetryUrl);

/// <summary>Validates what a client registers, before anything is written.</summary>
public static class MatchRequests
{
    public const int MaxMatchIdLength = 200;
    public const int MaxUrlLength = 2_000;
    public const int MaxMatchesPerRequest = 10_000;

    /// <summary>
    /// Checks every entry (match id 1–200 printable characters; an absolute http or https URL) and merges duplicates
    /// (the last URL given for a match wins). Throws a <see cref="BatchRequestException"/> (400) naming each bad entry.
    /// </summary>
    public static IReadOnlyList<(string MatchId, string Url)> Validate(IReadOnlyList<MatchUrlInput?>? inputs, string field = "matches")
    {
        if (inputs is null || inputs.Count == 0)
        {
            throw BatchRequestException.Field(field, "At least one match ({matchId, telemetryUrl}) is required.");
        }
        if (inputs.Count > MaxMatchesPerRequest)
        {
            throw BatchRequestException.Field(field, $"At most {MaxMatchesPerRequest} matches per request (got {inputs.Count}).", 413);
        }
        var errors = new Dictionary<string, string[]>();
        var merged = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        for (var i = 0; i < inputs.Count; i++)
        {
            var problems = Problems(inputs[i]);
            if (problems.Count > 0)
            {
                errors[$"{field}[{i}]"] = [.. problems];
                continue;
            }
            var matchId = inputs[i]!.MatchId!.Trim();
            merged[matchId] = (matchId, inputs[i]!.TelemetryUrl!.Trim());
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException($"{errors.Count} match(es) are invalid; nothing was registered.", errors);
        }
        return [.. merged.Values];
    }

    /// <summary>What is wrong with one entry (empty when it is valid).</summary>
    public static IReadOnlyList<string> Problems(MatchUrlInput? input)
    {
        var problems = new List<string>();
        if (MatchIdProblem(input?.MatchId) is { } idProblem)
        {
            problems.Add(idProblem);
        }
        var url = input?.TelemetryUrl?.Trim();
        if (string.IsNullOrEmpty(url) || url.Length > MaxUrlLength
            || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
        {
            problems.Add($"telemetryUrl must be an absolute http or https URL of at most {MaxUrlLength} characters.");
        }
        else if (OutboundRequest.WhyRefused(uri) is { } refused)
        {
            problems.Add($"telemetryUrl {refused}");
        }
        return problems;
    }

    /// <summary>Null when <paramref name="matchId"/> is a usable match id, else why not.</summary>
    public static string? MatchIdProblem(string? matchId)
    {
        var id = matchId?.Trim();
        if (string.IsNullOrEmpty(id) || id.Length > MaxMatchIdLength || id.Any(char.IsControl) || id.Any(char.IsSurrogate))
        {
            return $"matchId is required: 1 to {MaxMatchIdLength} printable characters.";
        }
        return null;
    }
}
