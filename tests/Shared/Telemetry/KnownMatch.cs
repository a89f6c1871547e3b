using System.IO.Compression;

namespace HangfireApp.TestSupport.Telemetry;

/// <summary>The statistics a test expects for one player; distances in metres, times in seconds.</summary>
public sealed record ExpectedStats(
    int Kills = 0, int Assists = 0, int DBNOs = 0, double DamageDealt = 0, int HeadshotKills = 0, double LongestKill = 0,
    int KillStreaks = 0, int TeamKills = 0, int RoadKills = 0, int Heals = 0, int Boosts = 0, int Revives = 0,
    double WalkDistance = 0, double RideDistance = 0, double SwimDistance = 0, double TimeSurvived = 0,
    int VehicleDestroys = 0, int WeaponsAcquired = 0, int? WinPlace = null, double HealAmount = 0);

/// <summary>
/// A small duo match written event by event with every statistic known in advance: both kill versions, an
/// aircraft ride that must not count, a vehicle ride with a road kill, a swim, a knock and a revive, a headshot,
/// a team kill, assists from the V2 list and from damage (legacy), heals, boosts, pickups, a vehicle destroyed,
/// unknown event types and positions before the start, in the aircraft, in a vehicle and in water.
/// </summary>
public static class KnownMatch
{
    public const string MatchId = "match.bro.official.pc-2026-03.steam.duo-fpp.eu.2026.03.14.12.known-match";
    public const string MapName = "Baltic_Main";
    public const string Mode = "duo-fpp";
    public const double DurationSeconds = 600;

    public static readonly TelemetryPlayer A = new("account.aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "Ann", 1);
    public static readonly TelemetryPlayer B = new("account.bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "Bo \"the\" Ünicode", 1);
    public static readonly TelemetryPlayer C = new("account.cccccccccccccccccccccccccccccccc", "Cy", 2);
    public static readonly TelemetryPlayer D = new("account.dddddddddddddddddddddddddddddddd", "Di", 2);
    public static readonly TelemetryPlayer E = new("account.eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee", "Ed", 3);
    public static readonly TelemetryPlayer F = new("account.ffffffffffffffffffffffffffffffff", "Fay", 3);

    public static readonly IReadOnlyList<TelemetryPlayer> Players = [A, B, C, D, E, F];

    public static readonly IReadOnlyDictionary<TelemetryPlayer, ExpectedStats> Expected = new Dictionary<TelemetryPlayer, ExpectedStats>
    {
        // A: walks 500 + 100 m before the ride and 50 m after it; the aircraft's 3000 m is not a ride.
        [A] = new(Kills: 3, DBNOs: 2, DamageDealt: 95, HeadshotKills: 1, LongestKill: 200, KillStreaks: 2, RoadKills: 1,
            Heals: 2, Boosts: 1, WalkDistance: 650, RideDistance: 1234.5, TimeSurvived: 600, WeaponsAcquired: 3, WinPlace: 1, HealAmount: 75),
        [B] = new(Assists: 1, DamageDealt: 30, WalkDistance: 30, SwimDistance: 87.5, TimeSurvived: 300, VehicleDestroys: 1, WinPlace: 1),
        [C] = new(TimeSurvived: 160, WinPlace: 3),
        [D] = new(TimeSurvived: 168, WinPlace: 3),
        [E] = new(Kills: 1, DamageDealt: 100, LongestKill: 150, KillStreaks: 1, TimeSurvived: 400, WinPlace: 2),
        [F] = new(Assists: 1, DamageDealt: 20, TeamKills: 1, Revives: 1, TimeSurvived: 500, WinPlace: 2),
    };

    /// <summary>The match as plain JSON.</summary>
    public static byte[] Json(string matchId = MatchId)
    {
        using var output = new MemoryStream();
        Write(output, matchId);
        return output.ToArray();
    }

    /// <summary>The match gzip-compressed, as PUBG serves telemetry.</summary>
    public static byte[] Gzip(string matchId = MatchId) => Compress(Json(matchId));

    public static byte[] Compress(byte[] json)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(json);
        }
        return output.ToArray();
    }

    public static void Write(Stream output, string matchId = MatchId)
    {
        using var t = new TelemetryWriter(output);
        t.MatchDefinition(matchId);
        t.GameStatePeriodic(0, 6);
        // In the lobby: positions at elapsedTime 0 never count.
        t.Position(0, A, 5000, 5000, 100, elapsed: 0);
        t.Position(0, A, 90000, 5000, 100, elapsed: 0);
        t.MatchStart(0, MapName, teamSize: 2, Players);
        foreach (var player in Players)
        {
            t.AircraftRide(1, player);
        }
        t.Position(30, A, 50000, 50000, 150000); // in the aircraft
        foreach (var player in Players)
        {
            t.AircraftLeave(60, player, rideDistance: 3000);
        }
        t.Position(90, A, 80000, 80000, 40000); // under the parachute
        t.ParachuteLanding(120, A, 100000, 100000, 500);
        t.ParachuteLanding(120, B, 0, 0, 0);
        foreach (var player in new[] { C, D, E, F })
        {
            t.ParachuteLanding(120, player, 700000, 700000, 0);
        }
        t.Position(130, A, 130000, 140000, 900);   // +500 m
        t.Attack(131, A);
        t.ItemPickup(132, A, "Item_Weapon_HK416_C", "Weapon", "Main");
        t.ItemPickup(133, A, "Item_Ammo_556mm_C", "Ammunition", "None");
        t.ItemPickup(134, A, "Item_Weapon_Kar98k_C", "Weapon", "Main", "LogItemPickupFromCarepackage");
        t.ItemPickup(135, A, "Item_Weapon_M9_C", "Weapon", "Handgun", "LogItemPickupFromLootBox");
        t.ItemUse(136, A, "Item_Heal_FirstAid_C", "Use", "Heal");
        t.Heal(137, A, 75);
        t.ItemUse(138, A, "Item_Heal_Bandage_C", "Use", "Heal");
        t.ItemUse(139, A, "Item_Boost_EnergyDrink_C", "Use", "Boost");
        t.Position(140, A, 130000, 150000, 800);   // +100 m
        t.VehicleRide(150, A);
        t.Position(155, A, 180000, 150000, 800);   // in the vehicle
        t.TakeDamage(158, A, C, 15);                // counted for A (enemy) …
        t.KillV2(160, A, C, reason: "NonSpecific", category: "Damage_VehicleHit", distanceCm: 500, assists: []);
        t.Place(A, 200000, 150000, 800);
        t.VehicleLeave(165, A, rideDistance: 1234.5);
        t.TakeDamage(166, A, D, 25);                // … 15 + 25 = 40 on team 2
        t.MakeGroggy(166, A, D);
        t.TakeDamage(167, B, D, 30);
        t.TakeDamage(167.5, A, B, 10);              // friendly fire: not counted
        t.MakeGroggy(167.6, B, A);                  // a teammate knocked: not a DBNO
        t.KillV2(168, A, D, reason: "HeadShot", distanceCm: 8000, assists: [B], dbnoMaker: A);
        t.Position(180, A, 200000, 155000, 800);   // +50 m after the ride
        t.Position(190, B, 1000, 0, 0);             // +10 m
        t.SwimStart(200, B);
        t.Position(205, B, 5000, 0, 0);             // swimming
        t.Place(B, 10000, 0, 0);
        t.SwimEnd(220, B, swimDistance: 87.5);
        t.Position(230, B, 10000, 2000, 0);         // +20 m
        t.VehicleDestroy(240, B);
        t.TakeDamage(249, A, E, 60);
        t.TakeDamage(249.5, A, A, 5, reason: "NonSpecific", category: "Damage_Explosion_Grenade"); // self-inflicted: subtracted
        t.MakeGroggy(250, A, E);
        t.Revive(260, F, E);
        t.TakeDamage(280, F, B, 20);
        t.TakeDamage(290, E, B, 100);
        // Legacy kill, no assistant field: F (E's teammate) damaged B, so F assists.
        t.LegacyKill(300, E, B, reason: "ArmShot", distanceCm: 15000);
        t.GameStatePeriodic(350, 4);
        t.KillV2(400, F, E, assists: []);          // team kill
        t.KillV2(500, A, F, distanceCm: 20000, assists: []);
        t.MatchEnd(600, [(A, 1), (B, 1), (C, 3), (D, 3), (E, 2), (F, 2)]);
        t.Complete();
    }
}
