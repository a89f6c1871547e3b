namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>What a telemetry file says about its match as a whole.</summary>
public sealed record MatchSummary(
    string? MatchId, string? MapName, string? Mode, int TeamSize, bool IsCustomGame,
    DateTime? StartedAt, DateTime? EndedAt, double? DurationSeconds, int Players, long Events, long Bytes);

/// <summary>The outcome of one pass over a telemetry file.</summary>
public sealed record MatchAggregate(MatchSummary Summary, IReadOnlyList<PlayerState> Players);

/// <summary>
/// Applies events in file order to the match's players; the rules are documented on <see cref="PlayerStats"/>.
/// One instance per file, not thread-safe (one file is parsed by one thread at a time).
/// </summary>
public sealed class MatchAggregator
{
    /// <summary>Two kills at most this far apart belong to the same kill streak.</summary>
    public static readonly TimeSpan KillStreakWindow = TimeSpan.FromSeconds(10);

    private string? _matchId;
    private string? _mapName;
    private int _teamSize;
    private bool _customGame;
    private bool _firstPersonOnly;
    private DateTime? _startedAt;
    private DateTime? _endedAt;
    private DateTime? _firstAt;
    private DateTime? _lastAt;

    public PlayerTable Players { get; } = new();

    public long Events { get; private set; }

    internal void Apply(in TelemetryEvent e)
    {
        Events++;
        if (e.Timestamp is { } at)
        {
            _firstAt ??= at;
            _lastAt = at;
        }
        switch (e.Type)
        {
            case TelemetryEventType.MatchDefinition:
                _matchId ??= e.MatchId;
                break;
            case TelemetryEventType.MatchStart:
                _startedAt ??= e.Timestamp;
                _mapName ??= e.MapName;
                _teamSize = e.TeamSize;
                _customGame = e.IsCustomGame;
                _firstPersonOnly = e.FirstPersonOnly;
                break;
            case TelemetryEventType.MatchEnd:
                _endedAt = e.Timestamp;
                foreach (var (player, ranking) in PendingRankings)
                {
                    if (ranking > 0)
                    {
                        Players[player].Stats.WinPlace = ranking;
                    }
                }
                break;
            case TelemetryEventType.PlayerKillV2:
            case TelemetryEventType.PlayerKill:
                Kill(e);
                break;
            case TelemetryEventType.PlayerMakeGroggy:
                if (Enemies(e.Attacker, e.Victim))
                {
                    Players[e.Attacker.Player].Stats.DBNOs++;
                }
                break;
            case TelemetryEventType.PlayerRevive:
                if (e.Reviver.Present)
                {
                    Players[e.Reviver.Player].Stats.Revives++;
                }
                break;
            case TelemetryEventType.PlayerTakeDamage:
                Damage(e);
                break;
            case TelemetryEventType.PlayerPosition:
                Position(e);
                break;
            case TelemetryEventType.ParachuteLanding:
                if (e.Character.Present)
                {
                    var player = Players[e.Character.Player];
                    player.InAir = false;
                    Restart(player, e.Character);
                }
                break;
            case TelemetryEventType.Heal:
                if (e.Character.Present)
                {
                    Players[e.Character.Player].Stats.HealAmount += e.HealAmount;
                }
                break;
            case TelemetryEventType.ItemUse:
                if (e.Character.Present)
                {
                    var stats = Players[e.Character.Player].Stats;
                    if (e.Item == ItemKind.Heal)
                    {
                        stats.Heals++;
                    }
                    else if (e.Item == ItemKind.Boost)
                    {
                        stats.Boosts++;
                    }
                }
                break;
            case TelemetryEventType.ItemPickup:
                if (e.Character.Present && e.Item == ItemKind.Weapon)
                {
                    Players[e.Character.Player].Stats.WeaponsAcquired++;
                }
                break;
            case TelemetryEventType.VehicleRide:
                if (e.Character.Present)
                {
                    var player = Players[e.Character.Player];
                    player.InVehicle = true;
                    player.InAircraft = e.Aircraft;
                    player.HasLastPosition = false;
                }
                break;
            case TelemetryEventType.VehicleLeave:
                if (e.Character.Present)
                {
                    var player = Players[e.Character.Player];
                    player.InVehicle = false;
                    if (e.Aircraft || player.InAircraft)
                    {
                        // Jumped: in the air until the parachute lands.
                        player.InAir = true;
                        player.InAircraft = false;
                        player.HasLastPosition = false;
                    }
                    else
                    {
                        player.Stats.RideDistance += e.RideDistance;
                        Restart(player, e.Character);
                    }
                }
                break;
            case TelemetryEventType.VehicleDestroy:
                if (e.Attacker.Present)
                {
                    Players[e.Attacker.Player].Stats.VehicleDestroys++;
                }
                break;
            case TelemetryEventType.SwimStart:
                if (e.Character.Present)
                {
                    var player = Players[e.Character.Player];
                    player.Swimming = true;
                    player.HasLastPosition = false;
                }
                break;
            case TelemetryEventType.SwimEnd:
                if (e.Character.Present)
                {
                    var player = Players[e.Character.Player];
                    player.Swimming = false;
                    player.Stats.SwimDistance += e.SwimDistance;
                    Restart(player, e.Character);
                }
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// Players named by the event being read in <c>assists_AccountId</c>; counted if it turns out to be a kill.
    /// The reader fills these lists before it knows the event's type (<c>_T</c> may come last) and clears them
    /// before each event.
    /// </summary>
    internal List<int> PendingAssists { get; } = [];

    /// <summary>The players and rankings of the event's <c>characters</c>; final placements if it is <c>LogMatchEnd</c>.</summary>
    internal List<(int Player, int Ranking)> PendingRankings { get; } = [];

    public MatchAggregate Complete(long bytes)
    {
        var start = _startedAt ?? _firstAt;
        var end = _endedAt ?? _lastAt;
        foreach (var player in Players.Players)
        {
            var until = player.DeathAt ?? end;
            player.Stats.TimeSurvived = start is { } s && until is { } u && u > s ? (u - s).TotalSeconds : 0;
        }
        var duration = start is { } from && end is { } to && to >= from ? (to - from).TotalSeconds : (double?)null;
        var summary = new MatchSummary(_matchId, _mapName, Mode(), _teamSize, _customGame, _startedAt, _endedAt, duration,
            Players.Count, Events, bytes);
        return new MatchAggregate(summary, Players.Players);
    }

    private string? Mode()
    {
        if (_teamSize <= 0)
        {
            return null;
        }
        var size = _teamSize switch
        {
            1 => "solo",
            2 => "duo",
            4 => "squad",
            _ => $"teams-of-{_teamSize}",
        };
        return _firstPersonOnly ? size + "-fpp" : size;
    }

    private bool Enemies(in CharacterRef a, in CharacterRef b) =>
        a.Present && b.Present && a.Player != b.Player && Team(a) != Team(b);

    private int Team(in CharacterRef c) => c.TeamId != 0 ? c.TeamId : Players[c.Player].TeamId;

    private void Kill(in TelemetryEvent e)
    {
        if (e.Victim.Present)
        {
            Players[e.Victim.Player].DeathAt ??= e.Timestamp;
        }
        if (!e.Killer.Present || !e.Victim.Present || e.Killer.Player == e.Victim.Player)
        {
            PendingAssists.Clear();
            return;
        }
        var killer = Players[e.Killer.Player];
        if (!Enemies(e.Killer, e.Victim))
        {
            killer.Stats.TeamKills++;
            PendingAssists.Clear();
            return;
        }
        var stats = killer.Stats;
        stats.Kills++;
        if (e.HeadShot)
        {
            stats.HeadshotKills++;
        }
        if (killer.InVehicle || e.VehicleHit)
        {
            stats.RoadKills++;
        }
        var distance = e.Distance ?? Between(e.Killer, e.Victim);
        if (distance is { } cm && cm / 100 > stats.LongestKill)
        {
            stats.LongestKill = cm / 100;
        }
        if (e.Timestamp is { } at)
        {
            killer.CurrentStreak = killer.LastKillAt is { } last && at - last <= KillStreakWindow ? killer.CurrentStreak + 1 : 1;
            killer.LastKillAt = at;
        }
        else
        {
            killer.CurrentStreak++;
        }
        stats.KillStreaks = Math.Max(stats.KillStreaks, killer.CurrentStreak);
        Assists(e, killer);
    }

    private void Assists(in TelemetryEvent e, PlayerState killer)
    {
        var credited = new HashSet<int>();
        if (e.HasAssistList || e.Assistant.Present)
        {
            foreach (var assistant in PendingAssists)
            {
                credited.Add(assistant);
            }
            if (e.Assistant.Present)
            {
                credited.Add(e.Assistant.Player);
            }
        }
        else if (Players[e.Victim.Player].DamagedBy is { } damagers)
        {
            foreach (var damager in damagers)
            {
                if (Players[damager].TeamId == killer.TeamId)
                {
                    credited.Add(damager);
                }
            }
        }
        PendingAssists.Clear();
        credited.Remove(killer.Index);
        credited.Remove(e.Victim.Player);
        foreach (var player in credited)
        {
            Players[player].Stats.Assists++;
        }
    }

    private void Damage(in TelemetryEvent e)
    {
        if (!e.Attacker.Present || !e.Victim.Present)
        {
            return;
        }
        var attacker = Players[e.Attacker.Player];
        if (e.Attacker.Player == e.Victim.Player)
        {
            attacker.Stats.DamageDealt -= e.Damage;
            return;
        }
        if (!Enemies(e.Attacker, e.Victim) || e.Damage <= 0)
        {
            return;
        }
        attacker.Stats.DamageDealt += e.Damage;
        var victim = Players[e.Victim.Player];
        victim.DamagedBy ??= [];
        if (!victim.DamagedBy.Contains(attacker.Index))
        {
            victim.DamagedBy.Add(attacker.Index);
        }
    }

    private void Position(in TelemetryEvent e)
    {
        if (!e.Character.Present || !e.Character.HasLocation)
        {
            return;
        }
        var player = Players[e.Character.Player];
        // Before the match starts (elapsedTime 0) players wait in the lobby: no walking counts.
        if (!player.OnFoot || e.ElapsedTime <= 0)
        {
            player.HasLastPosition = false;
            return;
        }
        if (player.HasLastPosition)
        {
            var dx = e.Character.X - player.LastX;
            var dy = e.Character.Y - player.LastY;
            player.Stats.WalkDistance += Math.Sqrt(dx * dx + dy * dy) / 100;
        }
        player.LastX = e.Character.X;
        player.LastY = e.Character.Y;
        player.HasLastPosition = true;
    }

    private static void Restart(PlayerState player, in CharacterRef at)
    {
        player.HasLastPosition = at.HasLocation && player.OnFoot;
        player.LastX = at.X;
        player.LastY = at.Y;
    }

    private static double? Between(in CharacterRef a, in CharacterRef b)
    {
        if (!a.HasLocation || !b.HasLocation)
        {
            return null;
        }
        var dx = a.X - b.X;
        var dy = a.Y - b.Y;
        var dz = a.Z - b.Z;
        return Math.Sqrt(dx * dx + dy * dy + dz * dz);
    }
}
