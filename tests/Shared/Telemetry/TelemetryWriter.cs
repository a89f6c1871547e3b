using System.Globalization;
using System.Text.Json;

namespace HangfireApp.TestSupport.Telemetry;

/// <summary>A participant as the test files name them.</summary>
public sealed record TelemetryPlayer(string AccountId, string Name, int TeamId);

/// <summary>
/// Writes PUBG telemetry files event by event, in the real format's shape: an array of objects with <c>_D</c>,
/// <c>_T</c> and <c>common</c>, full character objects (name, teamId, health, location in centimetres, ranking,
/// accountId, zone flags) and the fields each event type carries. Times are seconds after the match start.
/// Used by the tests (files with known statistics) and the benchmark generator; shared by link, not shipped.
/// </summary>
public sealed class TelemetryWriter : IDisposable
{
    public static readonly DateTime DefaultStart = new(2026, 3, 14, 12, 0, 0, DateTimeKind.Utc);

    private readonly Utf8JsonWriter _json;
    private readonly DateTime _start;
    private readonly Dictionary<string, (double X, double Y, double Z)> _locations = [];

    public TelemetryWriter(Stream output, DateTime? start = null)
    {
        _json = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = false });
        _start = start ?? DefaultStart;
        _json.WriteStartArray();
    }

    public long Events { get; private set; }

    /// <summary>Moves a player (centimetres) without writing an event; later characters carry this location.</summary>
    public TelemetryWriter Place(TelemetryPlayer player, double x, double y, double z = 0)
    {
        _locations[player.AccountId] = (x, y, z);
        return this;
    }

    public TelemetryWriter MatchDefinition(string matchId)
    {
        // Real files put _D and _T after the fields in this event.
        _json.WriteStartObject();
        _json.WriteString("MatchId", matchId);
        _json.WriteString("PingQuality", "low");
        _json.WriteString("SeasonState", "progress");
        Stamp(0, "LogMatchDefinition");
        _json.WriteEndObject();
        Events++;
        return this;
    }

    public TelemetryWriter MatchStart(double at, string mapName, int teamSize, IEnumerable<TelemetryPlayer> players, bool fpp = true, bool custom = false, bool wrapped = true)
    {
        Begin(at, "LogMatchStart");
        _json.WriteString("mapName", mapName);
        _json.WriteString("weatherId", "Clear_02");
        _json.WriteStartArray("characters");
        foreach (var player in players)
        {
            WrappedCharacter(player, 0, wrapped);
        }
        _json.WriteEndArray();
        _json.WriteString("cameraViewBehaviour", fpp ? "FpsOnly" : "FpsAndTps");
        _json.WriteNumber("teamSize", teamSize);
        _json.WriteBoolean("isCustomGame", custom);
        _json.WriteBoolean("isEventMode", false);
        _json.WriteString("blueZoneCustomOptions", "[]");
        return End();
    }

    public TelemetryWriter MatchEnd(double at, IEnumerable<(TelemetryPlayer Player, int Ranking)> rankings, bool wrapped = true)
    {
        Begin(at, "LogMatchEnd");
        _json.WriteStartArray("characters");
        foreach (var (player, ranking) in rankings)
        {
            WrappedCharacter(player, ranking, wrapped);
        }
        _json.WriteEndArray();
        _json.WriteStartObject("gameResultOnFinished");
        _json.WriteStartArray("results");
        _json.WriteEndArray();
        _json.WriteEndObject();
        return End();
    }

    public TelemetryWriter Position(double at, TelemetryPlayer player, double x, double y, double z = 0, double? elapsed = null)
    {
        Place(player, x, y, z);
        Begin(at, "LogPlayerPosition");
        Character("character", player);
        WriteVehicleNull();
        _json.WriteNumber("elapsedTime", elapsed ?? at);
        _json.WriteNumber("numAlivePlayers", 90);
        return End();
    }

    public TelemetryWriter ParachuteLanding(double at, TelemetryPlayer player, double x, double y, double z = 0)
    {
        Place(player, x, y, z);
        Begin(at, "LogParachuteLanding");
        Character("character", player);
        _json.WriteNumber("distance", 152340.5);
        return End();
    }

    public TelemetryWriter VehicleRide(double at, TelemetryPlayer player, string vehicleType = "WheeledVehicle", string vehicleId = "Uaz_A_01_C")
    {
        Begin(at, "LogVehicleRide");
        Character("character", player);
        Vehicle(vehicleType, vehicleId);
        _json.WriteNumber("seatIndex", 0);
        _json.WriteStartArray("fellowPassengers");
        _json.WriteEndArray();
        return End();
    }

    public TelemetryWriter VehicleLeave(double at, TelemetryPlayer player, double rideDistance, string vehicleType = "WheeledVehicle", string vehicleId = "Uaz_A_01_C")
    {
        Begin(at, "LogVehicleLeave");
        Character("character", player);
        Vehicle(vehicleType, vehicleId);
        _json.WriteNumber("rideDistance", rideDistance);
        _json.WriteNumber("seatIndex", 0);
        _json.WriteNumber("maxSpeed", 98.5);
        _json.WriteStartArray("fellowPassengers");
        _json.WriteEndArray();
        return End();
    }

    public TelemetryWriter AircraftRide(double at, TelemetryPlayer player) =>
        VehicleRide(at, player, "TransportAircraft", "DummyTransportAircraft_C");

    public TelemetryWriter AircraftLeave(double at, TelemetryPlayer player, double rideDistance) =>
        VehicleLeave(at, player, rideDistance, "TransportAircraft", "DummyTransportAircraft_C");

    public TelemetryWriter SwimStart(double at, TelemetryPlayer player)
    {
        Begin(at, "LogSwimStart");
        Character("character", player);
        return End();
    }

    public TelemetryWriter SwimEnd(double at, TelemetryPlayer player, double swimDistance)
    {
        Begin(at, "LogSwimEnd");
        Character("character", player);
        _json.WriteNumber("swimDistance", swimDistance);
        _json.WriteNumber("maxSwimDepthOfWater", 3.2);
        return End();
    }

    public TelemetryWriter TakeDamage(double at, TelemetryPlayer? attacker, TelemetryPlayer victim, double damage, string reason = "TorsoShot", string category = "Damage_Gun")
    {
        Begin(at, "LogPlayerTakeDamage");
        _json.WriteNumber("attackId", 1000 + Events);
        OptionalCharacter("attacker", attacker);
        Character("victim", victim);
        _json.WriteString("damageTypeCategory", category);
        _json.WriteString("damageReason", reason);
        _json.WriteNumber("damage", damage);
        _json.WriteString("damageCauserName", "WeapHK416_C");
        _json.WriteBoolean("isThroughPenetrableWall", false);
        return End();
    }

    public TelemetryWriter MakeGroggy(double at, TelemetryPlayer attacker, TelemetryPlayer victim)
    {
        Begin(at, "LogPlayerMakeGroggy");
        _json.WriteNumber("attackId", 1000 + Events);
        Character("attacker", attacker);
        Character("victim", victim);
        _json.WriteString("damageReason", "TorsoShot");
        _json.WriteString("damageTypeCategory", "Damage_Gun");
        _json.WriteString("damageCauserName", "WeapHK416_C");
        _json.WriteStartArray("damageCauserAdditionalInfo");
        _json.WriteEndArray();
        _json.WriteNumber("distance", 2345.6);
        _json.WriteBoolean("isAttackerInVehicle", false);
        _json.WriteNumber("dBNOId", 7);
        return End();
    }

    public TelemetryWriter Revive(double at, TelemetryPlayer reviver, TelemetryPlayer victim)
    {
        Begin(at, "LogPlayerRevive");
        Character("reviver", reviver);
        Character("victim", victim);
        _json.WriteNumber("dBNOId", 7);
        return End();
    }

    /// <summary>A <c>LogPlayerKillV2</c>; <paramref name="distanceCm"/> goes to <c>killerDamageInfo.distance</c>.</summary>
    public TelemetryWriter KillV2(double at, TelemetryPlayer? killer, TelemetryPlayer victim, string reason = "TorsoShot",
        string category = "Damage_Gun", double distanceCm = 1000, IEnumerable<TelemetryPlayer>? assists = null, TelemetryPlayer? dbnoMaker = null)
    {
        Begin(at, "LogPlayerKillV2");
        _json.WriteNumber("attackId", 1000 + Events);
        _json.WriteNumber("dBNOId", -1);
        _json.WriteStartObject("victimGameResult");
        _json.WriteNumber("rank", 0);
        _json.WriteString("gameResult", "");
        _json.WriteNumber("teamId", victim.TeamId);
        _json.WriteEndObject();
        Character("victim", victim);
        _json.WriteString("victimWeapon", "WeapAK47_C");
        _json.WriteStartArray("victimWeaponAdditionalInfo");
        _json.WriteEndArray();
        OptionalCharacter("dBNOMaker", dbnoMaker);
        DamageInfo("dBNODamageInfo", reason, category, distanceCm);
        OptionalCharacter("finisher", killer);
        DamageInfo("finishDamageInfo", reason, category, distanceCm);
        OptionalCharacter("killer", killer);
        DamageInfo("killerDamageInfo", reason, category, distanceCm);
        _json.WriteStartArray("assists_AccountId");
        foreach (var assist in assists ?? [])
        {
            _json.WriteStringValue(assist.AccountId);
        }
        _json.WriteEndArray();
        _json.WriteStartArray("teamKillers_AccountId");
        _json.WriteEndArray();
        _json.WriteBoolean("isSuicide", killer is null || killer == victim);
        return End();
    }

    /// <summary>A legacy <c>LogPlayerKill</c> (older matches): reason, category and distance on the event itself.</summary>
    public TelemetryWriter LegacyKill(double at, TelemetryPlayer? killer, TelemetryPlayer victim, string reason = "TorsoShot",
        string category = "Damage_Gun", double distanceCm = 1000, TelemetryPlayer? assistant = null)
    {
        Begin(at, "LogPlayerKill");
        _json.WriteNumber("attackId", 1000 + Events);
        OptionalCharacter("killer", killer);
        Character("victim", victim);
        if (assistant is not null)
        {
            Character("assistant", assistant);
        }
        _json.WriteNumber("dBNOId", -1);
        _json.WriteString("damageTypeCategory", category);
        _json.WriteString("damageReason", reason);
        _json.WriteString("damageCauserName", "WeapKar98k_C");
        _json.WriteStartArray("damageCauserAdditionalInfo");
        _json.WriteStringValue("Item_Attach_Weapon_Upper_CQBSS_C");
        _json.WriteEndArray();
        _json.WriteNumber("distance", distanceCm);
        _json.WriteBoolean("isSuicide", false);
        return End();
    }

    public TelemetryWriter ItemUse(double at, TelemetryPlayer player, string itemId, string category, string subCategory)
    {
        Begin(at, "LogItemUse");
        Character("character", player);
        Item(itemId, category, subCategory);
        return End();
    }

    public TelemetryWriter Heal(double at, TelemetryPlayer player, double amount)
    {
        Begin(at, "LogHeal");
        Character("character", player);
        Item("Item_Heal_FirstAid_C", "Use", "Heal");
        _json.WriteNumber("healAmount", amount);
        return End();
    }

    public TelemetryWriter ItemPickup(double at, TelemetryPlayer player, string itemId, string category, string subCategory, string type = "LogItemPickup")
    {
        Begin(at, type);
        Character("character", player);
        Item(itemId, category, subCategory);
        if (type == "LogItemPickupFromCarepackage")
        {
            _json.WriteNumber("carePackageUniqueId", 3);
        }
        return End();
    }

    public TelemetryWriter VehicleDestroy(double at, TelemetryPlayer attacker)
    {
        Begin(at, "LogVehicleDestroy");
        _json.WriteNumber("attackId", 1000 + Events);
        Character("attacker", attacker);
        Vehicle("WheeledVehicle", "Dacia_A_02_v2_C");
        _json.WriteString("damageTypeCategory", "Damage_Gun");
        _json.WriteString("damageCauserName", "WeapM416_C");
        _json.WriteNumber("distance", 3456.7);
        return End();
    }

    /// <summary>An event type the aggregation does not use (an attack), to show it is skipped.</summary>
    public TelemetryWriter Attack(double at, TelemetryPlayer attacker)
    {
        Begin(at, "LogPlayerAttack");
        _json.WriteNumber("attackId", 1000 + Events);
        _json.WriteNumber("fireWeaponStackCount", 12);
        Character("attacker", attacker);
        _json.WriteString("attackType", "Weapon");
        _json.WriteStartObject("weapon");
        _json.WriteString("itemId", "Item_Weapon_HK416_C");
        _json.WriteNumber("stackCount", 1);
        _json.WriteString("category", "Weapon");
        _json.WriteString("subCategory", "Main");
        _json.WriteStartArray("attachedItems");
        _json.WriteStringValue("Item_Attach_Weapon_Lower_Foregrip_C");
        _json.WriteStringValue("Item_Attach_Weapon_SideRail_DotSight_RMR_C");
        _json.WriteEndArray();
        _json.WriteEndObject();
        WriteVehicleNull();
        return End();
    }

    /// <summary>An unknown event type with nested arrays and objects, which must be ignored.</summary>
    public TelemetryWriter GameStatePeriodic(double at, int alive)
    {
        Begin(at, "LogGameStatePeriodic");
        _json.WriteStartObject("gameState");
        _json.WriteNumber("elapsedTime", at);
        _json.WriteNumber("numAliveTeams", alive / 4);
        _json.WriteNumber("numJoinPlayers", 100);
        _json.WriteNumber("numStartPlayers", 100);
        _json.WriteNumber("numAlivePlayers", alive);
        _json.WriteStartObject("safetyZonePosition");
        _json.WriteNumber("x", 408000.5);
        _json.WriteNumber("y", 392000.25);
        _json.WriteNumber("z", 0);
        _json.WriteEndObject();
        _json.WriteNumber("safetyZoneRadius", 260000.0);
        _json.WriteStartObject("poisonGasWarningPosition");
        _json.WriteNumber("x", 408000.5);
        _json.WriteNumber("y", 392000.25);
        _json.WriteNumber("z", 0);
        _json.WriteEndObject();
        _json.WriteNumber("poisonGasWarningRadius", 180000.0);
        _json.WriteStartArray("blackZoneList");
        _json.WriteEndArray();
        _json.WriteEndObject();
        return End();
    }

    public void Complete()
    {
        _json.WriteEndArray();
        _json.Flush();
    }

    public void Flush() => _json.Flush();

    public long BytesPending => _json.BytesPending;

    public void Dispose() => _json.Dispose();

    private void Begin(double at, string type)
    {
        _json.WriteStartObject();
        // Newer files lead with _D and _T, then common; older ones end with them (see MatchDefinition).
        Stamp(at, type);
        _json.WriteStartObject("common");
        _json.WriteNumber("isGame", at <= 0 ? 0 : 1.5);
        _json.WriteEndObject();
    }

    private TelemetryWriter End()
    {
        _json.WriteEndObject();
        Events++;
        return this;
    }

    private void Stamp(double at, string type)
    {
        _json.WriteString("_D", (_start + TimeSpan.FromSeconds(at)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        _json.WriteString("_T", type);
    }

    private void WrappedCharacter(TelemetryPlayer player, int ranking, bool wrapped)
    {
        if (wrapped)
        {
            _json.WriteStartObject();
            Character("character", player, ranking);
            _json.WriteString("primaryWeaponFirst", "WeapHK416_C");
            _json.WriteString("primaryWeaponSecond", "");
            _json.WriteString("secondaryWeapon", "");
            _json.WriteNumber("spawnKitIndex", 0);
            _json.WriteEndObject();
        }
        else
        {
            _json.WriteStartObject();
            CharacterBody(player, ranking);
            _json.WriteEndObject();
        }
    }

    private void OptionalCharacter(string name, TelemetryPlayer? player)
    {
        if (player is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            Character(name, player);
        }
    }

    private void Character(string name, TelemetryPlayer player, int ranking = 0)
    {
        _json.WriteStartObject(name);
        CharacterBody(player, ranking);
        _json.WriteEndObject();
    }

    private void CharacterBody(TelemetryPlayer player, int ranking)
    {
        var (x, y, z) = _locations.TryGetValue(player.AccountId, out var location) ? location : (0, 0, 0);
        _json.WriteString("name", player.Name);
        _json.WriteNumber("teamId", player.TeamId);
        _json.WriteNumber("health", 100);
        _json.WriteStartObject("location");
        _json.WriteNumber("x", x);
        _json.WriteNumber("y", y);
        _json.WriteNumber("z", z);
        _json.WriteEndObject();
        _json.WriteNumber("ranking", ranking);
        _json.WriteString("accountId", player.AccountId);
        _json.WriteBoolean("isInBlueZone", false);
        _json.WriteBoolean("isInRedZone", false);
        _json.WriteStartArray("zone");
        _json.WriteStringValue("georgopol");
        _json.WriteEndArray();
    }

    private void DamageInfo(string name, string reason, string category, double distanceCm)
    {
        _json.WriteStartObject(name);
        _json.WriteString("damageReason", reason);
        _json.WriteString("damageTypeCategory", category);
        _json.WriteString("damageCauserName", "WeapHK416_C");
        _json.WriteStartArray("additionalInfo");
        _json.WriteEndArray();
        _json.WriteNumber("distance", distanceCm);
        _json.WriteBoolean("isThroughPenetrableWall", false);
        _json.WriteEndObject();
    }

    private void Item(string itemId, string category, string subCategory)
    {
        _json.WriteStartObject("item");
        _json.WriteString("itemId", itemId);
        _json.WriteNumber("stackCount", 1);
        _json.WriteString("category", category);
        _json.WriteString("subCategory", subCategory);
        _json.WriteStartArray("attachedItems");
        _json.WriteEndArray();
        _json.WriteEndObject();
    }

    private void Vehicle(string vehicleType, string vehicleId)
    {
        _json.WriteStartObject("vehicle");
        _json.WriteString("vehicleType", vehicleType);
        _json.WriteString("vehicleId", vehicleId);
        _json.WriteNumber("vehicleUniqueId", 42);
        _json.WriteNumber("healthPercent", 100);
        _json.WriteNumber("feulPercent", 87.5);
        _json.WriteNumber("altitudeAbs", 0);
        _json.WriteNumber("altitudeRel", 0);
        _json.WriteNumber("velocity", 0);
        _json.WriteNumber("seatIndex", 0);
        _json.WriteBoolean("isWheelsInAir", false);
        _json.WriteBoolean("isInWaterVolume", false);
        _json.WriteBoolean("isEngineOn", true);
        _json.WriteEndObject();
    }

    private void WriteVehicleNull() => _json.WriteNull("vehicle");
}
