namespace HangfireApp.Workers.Telemetry.Storage;

/// <summary>How a statistic adds up over a player's matches, and which end of it is best.</summary>
public enum LifetimeAggregate
{
    /// <summary>Counts, distances, times: summed.</summary>
    Sum,

    /// <summary>Records (longest kill, best streak): the largest.</summary>
    Max,

    /// <summary>Placement: the best (smallest) one.</summary>
    Min,
}

/// <summary>A statistic as the API names it (the official camelCase name) and as the table stores it.</summary>
public sealed record StatDefinition(string Name, string Column, LifetimeAggregate Aggregate, bool WholeNumber)
{
    /// <summary>The SQL of its lifetime value over a player's rows.</summary>
    public string LifetimeSql => Aggregate switch
    {
        LifetimeAggregate.Sum => WholeNumber ? $"sum({Column})::bigint" : $"sum({Column})",
        LifetimeAggregate.Max => WholeNumber ? $"max({Column})::bigint" : $"max({Column})",
        _ => $"min({Column})::bigint",
    };

    /// <summary>Leaderboards list the best first: the smallest placement, the largest of everything else.</summary>
    public string Order => Aggregate == LifetimeAggregate.Min ? "asc" : "desc";
}

/// <summary>The statistics the leaderboard and the lifetime totals know, in the order the API lists them.</summary>
public static class StatCatalog
{
    public static readonly IReadOnlyList<StatDefinition> All =
    [
        new("kills", "kills", LifetimeAggregate.Sum, true),
        new("assists", "assists", LifetimeAggregate.Sum, true),
        new("DBNOs", "dbnos", LifetimeAggregate.Sum, true),
        new("damageDealt", "damage_dealt", LifetimeAggregate.Sum, false),
        new("headshotKills", "headshot_kills", LifetimeAggregate.Sum, true),
        new("longestKill", "longest_kill", LifetimeAggregate.Max, false),
        new("killStreaks", "kill_streaks", LifetimeAggregate.Max, true),
        new("teamKills", "team_kills", LifetimeAggregate.Sum, true),
        new("roadKills", "road_kills", LifetimeAggregate.Sum, true),
        new("heals", "heals", LifetimeAggregate.Sum, true),
        new("boosts", "boosts", LifetimeAggregate.Sum, true),
        new("revives", "revives", LifetimeAggregate.Sum, true),
        new("walkDistance", "walk_distance", LifetimeAggregate.Sum, false),
        new("rideDistance", "ride_distance", LifetimeAggregate.Sum, false),
        new("swimDistance", "swim_distance", LifetimeAggregate.Sum, false),
        new("timeSurvived", "time_survived", LifetimeAggregate.Sum, false),
        new("vehicleDestroys", "vehicle_destroys", LifetimeAggregate.Sum, true),
        new("weaponsAcquired", "weapons_acquired", LifetimeAggregate.Sum, true),
        new("winPlace", "win_place", LifetimeAggregate.Min, true),
    ];

    /// <summary>Finds a statistic by name, ignoring case (<c>dbnos</c> finds <c>DBNOs</c>).</summary>
    public static StatDefinition? Find(string? name) =>
        All.FirstOrDefault(stat => string.Equals(stat.Name, name, StringComparison.OrdinalIgnoreCase));
}
