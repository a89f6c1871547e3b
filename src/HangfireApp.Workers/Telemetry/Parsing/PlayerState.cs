using System.Text;

namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>
/// One participant of a match: who they are, their statistics (<see cref="PlayerStats"/>) and the running state
/// the aggregation needs to compute them in one pass (vehicle, swimming, landed, last position, kill times).
/// </summary>
public sealed class PlayerState(int index, string accountId)
{
    public int Index { get; } = index;

    public string AccountId { get; } = accountId;

    public string Name { get; private set; } = "";

    public int TeamId { get; private set; }

    public PlayerStats Stats { get; } = new();

    internal bool InVehicle;
    internal bool InAircraft;
    internal bool Swimming;

    /// <summary>On the ground: after the parachute landing, or from the start when the player never rode the aircraft.</summary>
    internal bool InAir;

    internal bool HasLastPosition;
    internal double LastX;
    internal double LastY;
    internal DateTime? DeathAt;
    internal DateTime? LastKillAt;
    internal int CurrentStreak;

    /// <summary>Players of other teams who damaged this one (for assists of kill events without an assist list).</summary>
    internal List<int>? DamagedBy;

    internal bool OnFoot => !InVehicle && !Swimming && !InAir;

    internal void Update(ReadOnlySpan<byte> name, int teamId)
    {
        if (Name.Length == 0 && !name.IsEmpty)
        {
            Name = SafeText.Clean(Encoding.UTF8.GetString(name));
        }
        if (teamId != 0)
        {
            TeamId = teamId;
        }
    }
}

/// <summary>
/// The official PUBG participant statistics, computed from telemetry. Names and meanings follow the match
/// object's <c>participant.attributes.stats</c>; where telemetry cannot give the exact official number, the
/// difference is stated. "Enemy" means a player of another team (<c>teamId</c> differs). Distances in metres,
/// times in seconds (telemetry positions and kill distances are centimetres and are converted).
/// </summary>
public sealed class PlayerStats
{
    /// <summary>Enemy players killed: <c>LogPlayerKillV2</c> whose <c>killer</c> (the player credited with the kill)
    /// is this player, or legacy <c>LogPlayerKill</c> whose <c>killer</c> is; team kills and suicides excluded.</summary>
    public int Kills { get; set; }

    /// <summary>Enemy players this player helped kill: each kill event whose <c>assists_AccountId</c> (V2) or
    /// <c>assistant</c> (later legacy events) names this player. Legacy events without either: teammates of the
    /// killer who damaged the victim during the match. The official rule (damage in some window before the death)
    /// is not published; the V2 list is the game's own and matches it.</summary>
    public int Assists { get; set; }

    /// <summary>Enemy players knocked down (down but not out): <c>LogPlayerMakeGroggy</c> by this attacker.</summary>
    public int DBNOs { get; set; }

    /// <summary>Damage dealt to enemies (<c>LogPlayerTakeDamage.damage</c> with this <c>attacker</c>), minus
    /// self-inflicted damage, as the official note says. Damage to teammates is not counted. Telemetry's damage is the
    /// health actually removed; the official figure agrees except for rounding.</summary>
    public double DamageDealt { get; set; }

    /// <summary>Enemy kills whose killing damage reason is <c>HeadShot</c> (<c>killerDamageInfo.damageReason</c> in V2,
    /// <c>damageReason</c> in legacy kills).</summary>
    public int HeadshotKills { get; set; }

    /// <summary>Longest distance of an enemy kill, in metres: the kill event's <c>killerDamageInfo.distance</c> (V2) or
    /// <c>distance</c> (legacy), else the distance between killer and victim locations. Like the official figure, a
    /// knocked player finished from afar counts at the finishing distance.</summary>
    public double LongestKill { get; set; }

    /// <summary>Most enemy kills in a short time: the longest run of this player's kills where each follows the previous
    /// one by at most <see cref="MatchAggregator.KillStreakWindow"/>. PUBG does not publish its window; 0 without kills.</summary>
    public int KillStreaks { get; set; }

    /// <summary>Teammates killed by this player (killer and victim share a <c>teamId</c>, not a suicide).</summary>
    public int TeamKills { get; set; }

    /// <summary>Enemy kills made while in a vehicle: between this player's <c>LogVehicleRide</c> and
    /// <c>LogVehicleLeave</c>, or with damage category <c>Damage_VehicleHit</c> (run over).</summary>
    public int RoadKills { get; set; }

    /// <summary>Healing items used: <c>LogItemUse</c> whose <c>item.subCategory</c> is <c>Heal</c>. (<c>LogHeal</c> is
    /// each application of health over time, not an item; it feeds <see cref="HealAmount"/>.)</summary>
    public int Heals { get; set; }

    /// <summary>Boost items used: <c>LogItemUse</c> whose <c>item.subCategory</c> is <c>Boost</c>.</summary>
    public int Boosts { get; set; }

    /// <summary>Teammates revived: <c>LogPlayerRevive</c> with this <c>reviver</c>.</summary>
    public int Revives { get; set; }

    /// <summary>Distance on foot, in metres: the sum of the horizontal distances between consecutive
    /// <c>LogPlayerPosition</c> samples taken on foot (landed, not in a vehicle, not swimming; the landing and the
    /// end of a ride or swim restart the path). Telemetry samples a position every ~10 s, so a winding path is
    /// measured as straight segments: this <b>underestimates</b> the official figure, which the server measures continuously.</summary>
    public double WalkDistance { get; set; }

    /// <summary>Distance in vehicles, in metres: the sum of <c>LogVehicleLeave.rideDistance</c>, the transport aircraft
    /// excluded. A ride not left before the match ends (no <c>LogVehicleLeave</c>) is not counted, as telemetry has no figure for it.</summary>
    public double RideDistance { get; set; }

    /// <summary>Distance swum, in metres: the sum of <c>LogSwimEnd.swimDistance</c>.</summary>
    public double SwimDistance { get; set; }

    /// <summary>Seconds from <c>LogMatchStart</c> to the player's death (the kill event that names them as victim), or to
    /// <c>LogMatchEnd</c> for survivors. Timestamps have millisecond resolution; the official figure starts at the same
    /// moment but is measured by the server, so it may differ by a fraction of a second.</summary>
    public double TimeSurvived { get; set; }

    /// <summary>Vehicles destroyed: <c>LogVehicleDestroy</c> with this <c>attacker</c>.</summary>
    public int VehicleDestroys { get; set; }

    /// <summary>Weapons picked up: <c>LogItemPickup</c> (also from care packages and loot boxes) whose <c>item.category</c> is
    /// <c>Weapon</c>.</summary>
    public int WeaponsAcquired { get; set; }

    /// <summary>Final placement of the player's team: <c>ranking</c> of the player in <c>LogMatchEnd.characters</c>;
    /// null when the file has no ranking for them.</summary>
    public int? WinPlace { get; set; }

    /// <summary>Not an official statistic: health restored (the sum of <c>LogHeal.healAmount</c>).</summary>
    public double HealAmount { get; set; }
}
