namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>The telemetry event types the aggregation uses; every other <c>_T</c> is <see cref="Unknown"/> and ignored.</summary>
internal enum TelemetryEventType : byte
{
    Unknown,
    MatchDefinition,
    MatchStart,
    MatchEnd,
    PlayerKillV2,
    PlayerKill,
    PlayerMakeGroggy,
    PlayerRevive,
    PlayerTakeDamage,
    PlayerPosition,
    ParachuteLanding,
    Heal,
    ItemUse,
    ItemPickup,
    VehicleRide,
    VehicleLeave,
    VehicleDestroy,
    SwimStart,
    SwimEnd,
}

/// <summary>What an item in an event is, as far as the statistics care (<c>item.category</c>/<c>subCategory</c>).</summary>
internal enum ItemKind : byte
{
    Other,
    Weapon,
    Heal,
    Boost,
}

/// <summary>
/// A character of an event resolved to the match's player table while it was read: <see cref="Player"/> is the
/// player's index, -1 when the event has no such character (absent, <c>null</c>, or an empty <c>accountId</c>).
/// Positions are in centimetres, as telemetry gives them.
/// </summary>
internal struct CharacterRef
{
    public static readonly CharacterRef None = new() { Player = -1 };

    public int Player;
    public int TeamId;
    public int Ranking;
    public bool HasLocation;
    public double X;
    public double Y;
    public double Z;

    public readonly bool Present => Player >= 0;
}

/// <summary>
/// One event reduced to the fields the aggregation reads. Strings the statistics only compare (damage reasons,
/// item categories, vehicle types) are compared while reading and kept as flags, so no string is allocated per
/// event; the few that are kept (match id, map) come from events that occur once per match.
/// </summary>
internal struct TelemetryEvent
{
    public TelemetryEventType Type;
    public DateTime? Timestamp;

    public CharacterRef Character;
    public CharacterRef Killer;
    public CharacterRef Victim;
    public CharacterRef Attacker;
    public CharacterRef Reviver;
    public CharacterRef Assistant;

    /// <summary><c>damageReason</c> (legacy kill, damage, groggy) or <c>killerDamageInfo.damageReason</c> (kill V2) is <c>HeadShot</c>.</summary>
    public bool HeadShot;

    /// <summary>The damage type category is <c>Damage_VehicleHit</c> (run over by a vehicle).</summary>
    public bool VehicleHit;

    /// <summary>Kill distance in centimetres (<c>distance</c> or <c>killerDamageInfo.distance</c>); null when absent.</summary>
    public double? Distance;

    public double Damage;
    public double ElapsedTime;
    public double RideDistance;
    public double SwimDistance;
    public double HealAmount;
    public ItemKind Item;

    /// <summary>The vehicle is the transport aircraft players jump from (not a ride that counts).</summary>
    public bool Aircraft;

    public string? MatchId;
    public string? MapName;
    public int TeamSize;
    public bool IsCustomGame;
    public bool FirstPersonOnly;

    /// <summary>The event carried an assist list (<c>assists_AccountId</c>, even an empty one): it is authoritative.</summary>
    public bool HasAssistList;
}
