using System.Text.Json.Serialization;

namespace HangfireApp.Workers.Telemetry.Storage;

/// <summary>One player's statistics in one match, with the official names (<c>DBNOs</c> as PUBG spells it).</summary>
public sealed record PlayerMatchStats(
    string AccountId, string Name, int TeamId,
    int Kills, int Assists, [property: JsonPropertyName("DBNOs")] int DBNOs, double DamageDealt, int HeadshotKills, double LongestKill,
    int KillStreaks, int TeamKills, int RoadKills, int Heals, int Boosts, int Revives, double WalkDistance, double RideDistance,
    double SwimDistance, double TimeSurvived, int VehicleDestroys, int WeaponsAcquired, int? WinPlace, double HealAmount);

/// <summary>A match: its registration, processing state and, once processed, its summary and players.</summary>
public sealed record MatchView(
    string MatchId, string Status, string Source, string? TelemetryUrl, long? FileBytes, DateTime RegisteredAt,
    DateTime? ProcessedAt, long? LastBatchId, string? Error, string? Map, string? Mode, int? TeamSize, bool? IsCustomGame,
    DateTime? StartedAt, DateTime? EndedAt, double? DurationSeconds, int? PlayerCount, long? EventCount, long? TelemetryBytes,
    IReadOnlyList<PlayerMatchStats> Players);

/// <summary>One match of a player, with the match's summary.</summary>
public sealed record PlayerMatch(string MatchId, string? Map, string? Mode, DateTime? StartedAt, PlayerMatchStats Stats);

/// <summary>A player's matches (newest first) and lifetime totals (see <see cref="StatCatalog"/> for how each adds up).</summary>
public sealed record PlayerView(string AccountId, string Name, int Matches, int Wins, IReadOnlyDictionary<string, double?> Lifetime, IReadOnlyList<PlayerMatch> PerMatch);

public sealed record LeaderboardEntry(int Rank, string AccountId, string Name, int Matches, double? Value);

public sealed record Leaderboard(string Stat, IReadOnlyList<LeaderboardEntry> Items, int PageNumber, int PageSize, long Total);

/// <summary>What a registration did to one match.</summary>
/// <param name="MatchId">The match's id.</param>
/// <param name="Status">Its status after the registration.</param>
/// <param name="Outcome"><c>registered</c> (new), <c>reopened</c> (it had failed: pending again with this source) or
/// <c>merged</c> (already known: nothing changed).</param>
public sealed record MatchRegistration(string MatchId, string Status, string Outcome);

public static class RegistrationOutcomes
{
    public const string Registered = "registered";
    public const string Reopened = "reopened";
    public const string Merged = "merged";
}
