using System.IO.Compression;

namespace HangfireApp.TestSupport.Telemetry;

/// <summary>
/// Deterministic realistic matches for the benchmark: 100 players in 25 squads over 30 minutes, positions every
/// 10 s, attacks, damage, knocks, kills (V2), revives, pickups, item use, heals, vehicle rides, swims, periodic
/// game states and other event types the aggregation skips. The default sizes give about 45,000 events and
/// 23 MB of JSON per match, close to a real squad match. The same seed always writes the same bytes.
/// </summary>
public static class MatchGenerator
{
    public static string MatchIdFor(int seed) => $"match.bro.official.pc-2026-03.steam.squad-fpp.eu.2026.03.14.bench-{seed:D4}";

    /// <summary>Writes the match as gzip into <paramref name="output"/>; returns (events, uncompressed bytes).</summary>
    public static (long Events, long Bytes) WriteGzip(Stream output, int seed, int players = 100, int teamSize = 4)
    {
        var counting = new CountingStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        using (var tee = new TeeStream(gzip, counting))
        {
            var events = Write(tee, seed, players, teamSize);
            tee.Flush();
            return (events, counting.Length);
        }
    }

    public static byte[] Gzip(int seed, out long events, out long bytes)
    {
        using var output = new MemoryStream();
        (events, bytes) = WriteGzip(output, seed);
        return output.ToArray();
    }

    public static long Write(Stream output, int seed, int playerCount = 100, int teamSize = 4)
    {
        var random = new Random(seed);
        var players = Enumerable.Range(0, playerCount)
            .Select(i => new TelemetryPlayer($"account.{seed:x4}{i:x4}{new string((char)('a' + i % 26), 24)}", $"Player_{seed}_{i}", i / teamSize + 1))
            .ToList();
        var alive = new HashSet<TelemetryPlayer>(players);
        var positions = players.ToDictionary(p => p, _ => (X: random.NextDouble() * 800000, Y: random.NextDouble() * 800000));
        var riding = new HashSet<TelemetryPlayer>();
        var swimming = new HashSet<TelemetryPlayer>();
        var eliminated = new List<int>();
        using var t = new TelemetryWriter(output);
        t.MatchDefinition(MatchIdFor(seed));
        t.MatchStart(0, "Baltic_Main", teamSize, players);
        foreach (var player in players)
        {
            t.AircraftRide(1, player);
        }
        foreach (var player in players)
        {
            t.AircraftLeave(60 + random.Next(90), player, 2000 + random.Next(4000));
        }
        foreach (var player in players)
        {
            var (x, y) = positions[player];
            t.ParachuteLanding(160 + random.Next(60), player, x, y, 100);
        }
        const int duration = 1800;
        var kills = playerCount - 1;
        var killEvery = (duration - 300) / (double)kills;
        var nextKill = 300.0;
        for (var second = 220; second < duration; second++)
        {
            foreach (var player in alive)
            {
                var roll = random.NextDouble();
                if ((second + player.TeamId) % 10 == 0)
                {
                    var (x, y) = positions[player];
                    var step = riding.Contains(player) ? 8000 : 1200;
                    positions[player] = (Math.Clamp(x + (random.NextDouble() - 0.5) * step * 2, 0, 816000), Math.Clamp(y + (random.NextDouble() - 0.5) * step * 2, 0, 816000));
                    t.Position(second, player, positions[player].X, positions[player].Y, 100);
                }
                if (roll < 0.14)
                {
                    t.Attack(second, player);
                }
                else if (roll < 0.20)
                {
                    var victim = Enemy(random, alive, player);
                    if (victim is not null)
                    {
                        t.TakeDamage(second, player, victim, Math.Round(random.NextDouble() * 40, 2), random.Next(6) == 0 ? "HeadShot" : "TorsoShot");
                    }
                }
                else if (roll < 0.28)
                {
                    var weapon = random.Next(4) == 0;
                    t.ItemPickup(second, player, weapon ? "Item_Weapon_AK47_C" : "Item_Ammo_762mm_C", weapon ? "Weapon" : "Ammunition", weapon ? "Main" : "None");
                }
                else if (roll < 0.305)
                {
                    t.GameStatePeriodic(second, alive.Count); // stands in for the equip/attach/drop events the statistics skip
                }
                else if (roll < 0.322)
                {
                    var heal = random.Next(2) == 0;
                    t.ItemUse(second, player, heal ? "Item_Heal_FirstAid_C" : "Item_Boost_EnergyDrink_C", "Use", heal ? "Heal" : "Boost");
                    t.Heal(second, player, 15);
                }
                else if (roll < 0.3245)
                {
                    if (riding.Remove(player))
                    {
                        t.VehicleLeave(second, player, Math.Round(random.NextDouble() * 3000, 1));
                    }
                    else if (!swimming.Contains(player))
                    {
                        riding.Add(player);
                        t.VehicleRide(second, player);
                    }
                }
                else if (roll < 0.3252)
                {
                    if (swimming.Remove(player))
                    {
                        t.SwimEnd(second, player, Math.Round(random.NextDouble() * 200, 1));
                    }
                    else if (!riding.Contains(player))
                    {
                        swimming.Add(player);
                        t.SwimStart(second, player);
                    }
                }
            }
            if (second >= nextKill && alive.Count > 1)
            {
                nextKill += killEvery;
                var victim = alive.ElementAt(random.Next(alive.Count));
                var killer = Enemy(random, alive, victim);
                if (killer is not null)
                {
                    t.MakeGroggy(second, killer, victim);
                    if (random.Next(5) == 0)
                    {
                        var medic = alive.FirstOrDefault(p => p.TeamId == victim.TeamId && p != victim);
                        if (medic is not null)
                        {
                            t.Revive(second, medic, victim);
                            continue;
                        }
                    }
                    t.KillV2(second, killer, victim, random.Next(4) == 0 ? "HeadShot" : "TorsoShot", distanceCm: random.Next(200, 40000),
                        assists: alive.Where(p => p.TeamId == killer.TeamId && p != killer).Take(random.Next(2)));
                    alive.Remove(victim);
                    riding.Remove(victim);
                    swimming.Remove(victim);
                    if (!alive.Any(p => p.TeamId == victim.TeamId))
                    {
                        eliminated.Add(victim.TeamId);
                    }
                }
            }
        }
        var teams = players.Select(p => p.TeamId).Distinct().Count();
        var rankOf = new Dictionary<int, int>();
        for (var i = 0; i < eliminated.Count; i++)
        {
            rankOf[eliminated[i]] = teams - i;
        }
        t.MatchEnd(duration, players.Select(p => (p, rankOf.TryGetValue(p.TeamId, out var rank) ? rank : 1)));
        t.Complete();
        return t.Events;
    }

    private static TelemetryPlayer? Enemy(Random random, HashSet<TelemetryPlayer> alive, TelemetryPlayer of)
    {
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var candidate = alive.ElementAt(random.Next(alive.Count));
            if (candidate.TeamId != of.TeamId)
            {
                return candidate;
            }
        }
        return null;
    }

    private sealed class CountingStream : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => _length;
        private long _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => _length += count;
        public override void Write(ReadOnlySpan<byte> buffer) => _length += buffer.Length;
    }

    private sealed class TeeStream(Stream first, Stream second) : Stream
    {
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => first.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            first.Write(buffer);
            second.Write(buffer);
        }
    }
}
