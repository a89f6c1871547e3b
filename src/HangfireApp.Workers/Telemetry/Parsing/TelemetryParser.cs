using System.Buffers;
using System.IO.Compression;
using System.Text;
using System.Text.Json;

namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>
/// Reads a PUBG telemetry file (a JSON array of events, gzip-compressed or plain: the first two bytes decide) in
/// one streaming pass and aggregates it per player as it goes. Memory stays bounded whatever the file's size: a
/// pooled buffer (<see cref="InitialBufferBytes"/>, grown only for an event larger than it, up to
/// <see cref="MaxEventBytes"/>) is refilled from the stream, and only the players' running totals are kept.
/// <para>
/// Built on <see cref="Utf8JsonReader"/> rather than a deserializer because an event's type (<c>_T</c>) often comes
/// after its fields, the same field names mean different things in different events, and the hot path must not
/// allocate: each event is read field by field straight from the buffer, and the strings the statistics only
/// compare are compared in place. An event cut by the end of the buffer is read again from its start once the
/// buffer is refilled (events are small, the buffer large, so this happens about once per refill).
/// </para>
/// </summary>
public sealed class TelemetryParser
{
    public const int InitialBufferBytes = 128 * 1024;
    public const int MaxEventBytes = 16 * 1024 * 1024;

    /// <summary>How far <see cref="ReadMatchIdAsync"/> looks for <c>LogMatchDefinition</c> (real files start with it).</summary>
    public const int MatchIdSearchEvents = 1_000;

    /// <summary>The most JSON a file may expand to: real matches are tens of MB, so this only stops compression bombs.</summary>
    public const long DefaultMaxJsonBytes = 4L * 1024 * 1024 * 1024;

    private readonly MatchAggregator _aggregator = new();
    private readonly bool _headOnly;
    private readonly long _maxJsonBytes;
    private long _eventIndex;
    private long _bytes;

    private TelemetryParser(bool headOnly, long maxJsonBytes)
    {
        _headOnly = headOnly;
        _maxJsonBytes = maxJsonBytes;
    }

    /// <summary>True when the bytes start like a gzip member (RFC 1952 magic 1f 8b).</summary>
    public static bool IsGzip(ReadOnlySpan<byte> head) => head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b;

    /// <summary>
    /// Parses a whole file. Throws <see cref="TelemetryFormatException"/> when it is not a valid event array;
    /// I/O errors of <paramref name="input"/> pass through unchanged (they may be worth a retry).
    /// </summary>
    public static Task<MatchAggregate> ParseAsync(Stream input, CancellationToken cancellationToken) =>
        ParseAsync(input, headOnly: false, DefaultMaxJsonBytes, cancellationToken);

    /// <summary>As <see cref="ParseAsync(Stream, CancellationToken)"/>, refusing files of more than <paramref name="maxJsonBytes"/> of JSON.</summary>
    public static Task<MatchAggregate> ParseAsync(Stream input, long maxJsonBytes, CancellationToken cancellationToken) =>
        ParseAsync(input, headOnly: false, maxJsonBytes, cancellationToken);

    /// <summary>
    /// The match id of a file (<c>LogMatchDefinition.MatchId</c>), read from its first <see cref="MatchIdSearchEvents"/>
    /// events only; null when they do not define it. Throws <see cref="TelemetryFormatException"/> when those events
    /// are not valid telemetry.
    /// </summary>
    public static async Task<string?> ReadMatchIdAsync(Stream input, CancellationToken cancellationToken) =>
        (await ParseAsync(input, headOnly: true, DefaultMaxJsonBytes, cancellationToken)).Summary.MatchId;

    private static async Task<MatchAggregate> ParseAsync(Stream input, bool headOnly, long maxJsonBytes, CancellationToken cancellationToken)
    {
        var head = new byte[2];
        var headLength = 0;
        while (headLength < head.Length)
        {
            var read = await input.ReadAsync(head.AsMemory(headLength), cancellationToken);
            if (read == 0)
            {
                break;
            }
            headLength += read;
        }
        Stream source = new PrefixedStream(head.AsMemory(0, headLength), input);
        var gzip = IsGzip(head.AsSpan(0, headLength));
        if (gzip)
        {
            source = new GZipStream(source, CompressionMode.Decompress, leaveOpen: false);
        }
        await using (source)
        {
            return await new TelemetryParser(headOnly, maxJsonBytes).RunAsync(source, gzip, cancellationToken);
        }
    }

    private async Task<MatchAggregate> RunAsync(Stream source, bool gzip, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBufferBytes);
        try
        {
            var state = new ReaderPosition();
            var start = 0;
            var end = 0;
            var final = false;
            var first = true;
            while (!state.Done)
            {
                if (start > 0)
                {
                    buffer.AsSpan(start, end - start).CopyTo(buffer);
                    state.BufferOffset += start;
                    end -= start;
                    start = 0;
                }
                if (end == buffer.Length)
                {
                    if (buffer.Length >= MaxEventBytes)
                    {
                        throw new TelemetryFormatException($"an event is larger than {MaxEventBytes} bytes", state.BufferOffset, _eventIndex);
                    }
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, MaxEventBytes));
                    buffer.AsSpan(0, end).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }
                int read;
                try
                {
                    read = await source.ReadAsync(buffer.AsMemory(end), cancellationToken);
                }
                catch (InvalidDataException e) when (gzip)
                {
                    throw new TelemetryFormatException($"the gzip data is corrupt ({e.Message})", state.BufferOffset + end, _eventIndex, e);
                }
                if (read == 0)
                {
                    final = true;
                }
                end += read;
                _bytes += read;
                if (_bytes > _maxJsonBytes)
                {
                    throw new TelemetryFormatException($"the file holds more than {_maxJsonBytes} bytes of JSON (a compression bomb?)", state.BufferOffset + end, _eventIndex);
                }
                if (first)
                {
                    if (end < 3 && !final)
                    {
                        continue;
                    }
                    if (end >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
                    {
                        start = 3; // a UTF-8 byte order mark, which Utf8JsonReader does not accept
                    }
                    if (final && end - start == 0)
                    {
                        throw new TelemetryFormatException("the file is empty", 0, 0);
                    }
                    first = false;
                }
                start = ParseBlock(buffer.AsSpan(0, end), start, final, ref state);
                if (final && !state.Done)
                {
                    throw new TelemetryFormatException("the file ends before the event array is closed (truncated?)", state.BufferOffset + start, _eventIndex);
                }
            }
            return _aggregator.Complete(_bytes);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Where the reader stands between refills.</summary>
    private struct ReaderPosition
    {
        public JsonReaderState State;
        public long BufferOffset;
        public bool InArray;
        public bool Closed;
        public bool Done;
    }

    /// <summary>Reads every complete event in <c>data[start..]</c>; returns where the first unread event starts.</summary>
    private int ParseBlock(ReadOnlySpan<byte> data, int start, bool final, ref ReaderPosition position)
    {
        if (position.Closed)
        {
            return Trailer(data, start, final, ref position);
        }
        var reader = new Utf8JsonReader(data[start..], final, position.State);
        var committed = 0L;
        var committedState = position.State;
        try
        {
            if (!position.InArray)
            {
                if (!reader.Read())
                {
                    return start;
                }
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new TelemetryFormatException($"expected a JSON array of events, found {reader.TokenType}",
                        position.BufferOffset + start + reader.TokenStartIndex, _eventIndex);
                }
                position.InArray = true;
                committed = reader.BytesConsumed;
                committedState = reader.CurrentState;
            }
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    position.Closed = true;
                    position.State = reader.CurrentState;
                    return Trailer(data, start + (int)reader.BytesConsumed, final, ref position);
                }
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new TelemetryFormatException($"an event must be a JSON object, found {reader.TokenType}",
                        position.BufferOffset + start + reader.TokenStartIndex, _eventIndex);
                }
                var e = new TelemetryEvent
                {
                    Character = CharacterRef.None, Killer = CharacterRef.None, Victim = CharacterRef.None,
                    Attacker = CharacterRef.None, Reviver = CharacterRef.None, Assistant = CharacterRef.None,
                };
                _aggregator.PendingAssists.Clear();
                _aggregator.PendingRankings.Clear();
                if (!ReadEvent(ref reader, ref e))
                {
                    break;
                }
                _aggregator.Apply(e);
                _eventIndex++;
                committed = reader.BytesConsumed;
                committedState = reader.CurrentState;
                if (_headOnly && (e.Type == TelemetryEventType.MatchDefinition || _eventIndex >= MatchIdSearchEvents))
                {
                    position.Done = true;
                    break;
                }
            }
        }
        catch (JsonException e)
        {
            throw new TelemetryFormatException(e.Message, position.BufferOffset + start + reader.BytesConsumed, _eventIndex, e);
        }
        catch (InvalidOperationException e)
        {
            // A value of the wrong kind (e.g. a string where a number belongs) read through a typed getter.
            throw new TelemetryFormatException(e.Message, position.BufferOffset + start + reader.TokenStartIndex, _eventIndex, e);
        }
        catch (FormatException e)
        {
            throw new TelemetryFormatException(e.Message, position.BufferOffset + start + reader.TokenStartIndex, _eventIndex, e);
        }
        position.State = committedState;
        return start + (int)committed;
    }

    /// <summary>After the closing bracket only whitespace may follow; the file is done at its end.</summary>
    private int Trailer(ReadOnlySpan<byte> data, int start, bool final, ref ReaderPosition position)
    {
        for (var i = start; i < data.Length; i++)
        {
            if (data[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                throw new TelemetryFormatException("unexpected data after the event array", position.BufferOffset + i, _eventIndex);
            }
        }
        position.Done = final;
        return data.Length;
    }

    private bool ReadEvent(ref Utf8JsonReader reader, ref TelemetryEvent e)
    {
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            var name = Name(ref reader);
            if (!reader.Read())
            {
                return false;
            }
            bool ok;
            switch (name.Length)
            {
                case 2 when name[0] == (byte)'_' && name[1] == (byte)'T':
                    e.Type = reader.TokenType == JsonTokenType.String ? EventType(Value(ref reader)) : TelemetryEventType.Unknown;
                    ok = true;
                    break;
                case 2 when name[0] == (byte)'_' && name[1] == (byte)'D':
                    e.Timestamp = reader.TokenType == JsonTokenType.String && reader.TryGetDateTime(out var at)
                        ? DateTime.SpecifyKind(at.Kind == DateTimeKind.Local ? at.ToUniversalTime() : at, DateTimeKind.Utc)
                        : null;
                    ok = true;
                    break;
                case 4 when name.SequenceEqual("item"u8):
                    ok = ReadObject<ItemFields, TelemetryEvent>(ref reader, ref e);
                    break;
                case 6 when name.SequenceEqual("killer"u8):
                    ok = ReadCharacter(ref reader, out e.Killer);
                    break;
                case 6 when name.SequenceEqual("victim"u8):
                    ok = ReadCharacter(ref reader, out e.Victim);
                    break;
                case 6 when name.SequenceEqual("damage"u8):
                    e.Damage = Number(ref reader);
                    ok = true;
                    break;
                case 7 when name.SequenceEqual("reviver"u8):
                    ok = ReadCharacter(ref reader, out e.Reviver);
                    break;
                case 7 when name.SequenceEqual("vehicle"u8):
                    ok = ReadObject<VehicleFields, TelemetryEvent>(ref reader, ref e);
                    break;
                case 7 when name.SequenceEqual("MatchId"u8):
                    e.MatchId = String(ref reader);
                    ok = true;
                    break;
                case 7 when name.SequenceEqual("mapName"u8):
                    e.MapName = String(ref reader);
                    ok = true;
                    break;
                case 8 when name.SequenceEqual("attacker"u8):
                    ok = ReadCharacter(ref reader, out e.Attacker);
                    break;
                case 8 when name.SequenceEqual("distance"u8):
                    ok = DamageInfoFields.Read(name, ref reader, ref e);
                    break;
                case 8 when name.SequenceEqual("teamSize"u8):
                    e.TeamSize = (int)Number(ref reader);
                    ok = true;
                    break;
                case 9 when name.SequenceEqual("character"u8):
                    ok = ReadCharacter(ref reader, out e.Character);
                    break;
                case 9 when name.SequenceEqual("assistant"u8):
                    ok = ReadCharacter(ref reader, out e.Assistant);
                    break;
                case 10 when name.SequenceEqual("characters"u8):
                    ok = ReadCharacters(ref reader);
                    break;
                case 10 when name.SequenceEqual("healAmount"u8):
                    e.HealAmount = Number(ref reader);
                    ok = true;
                    break;
                case 11 when name.SequenceEqual("elapsedTime"u8):
                    e.ElapsedTime = Number(ref reader);
                    ok = true;
                    break;
                case 12 when name.SequenceEqual("damageReason"u8):
                    ok = DamageInfoFields.Read(name, ref reader, ref e);
                    break;
                case 12 when name.SequenceEqual("rideDistance"u8):
                    e.RideDistance = Number(ref reader);
                    ok = true;
                    break;
                case 12 when name.SequenceEqual("swimDistance"u8):
                    e.SwimDistance = Number(ref reader);
                    ok = true;
                    break;
                case 12 when name.SequenceEqual("isCustomGame"u8):
                    e.IsCustomGame = reader.TokenType == JsonTokenType.True;
                    ok = true;
                    break;
                case 16 when name.SequenceEqual("killerDamageInfo"u8):
                    ok = ReadObject<DamageInfoFields, TelemetryEvent>(ref reader, ref e);
                    break;
                case 17 when name.SequenceEqual("assists_AccountId"u8):
                    e.HasAssistList = reader.TokenType == JsonTokenType.StartArray;
                    ok = ReadAssists(ref reader);
                    break;
                case 18 when name.SequenceEqual("damageTypeCategory"u8):
                    ok = DamageInfoFields.Read(name, ref reader, ref e);
                    break;
                case 19 when name.SequenceEqual("cameraViewBehaviour"u8):
                    e.FirstPersonOnly = IsString(ref reader, "FpsOnly"u8);
                    ok = true;
                    break;
                default:
                    ok = reader.TrySkip();
                    break;
            }
            if (!ok || !SkipUnread(ref reader))
            {
                return false;
            }
        }
    }

    /// <summary>A character object (or <c>null</c>), or a wrapper <c>{"character": {...}, ...}</c> as newer
    /// <c>LogMatchStart</c>/<c>LogMatchEnd</c> list them; resolved to the player table.</summary>
    private bool ReadCharacter(ref Utf8JsonReader reader, out CharacterRef character)
    {
        character = CharacterRef.None;
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TrySkip();
        }
        ReadOnlySpan<byte> accountId = default;
        ReadOnlySpan<byte> name = default;
        var wrapped = CharacterRef.None;
        var found = character;
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }
            var property = Name(ref reader);
            if (!reader.Read())
            {
                return false;
            }
            bool ok;
            switch (property.Length)
            {
                case 4 when property.SequenceEqual("name"u8):
                    name = reader.TokenType == JsonTokenType.String ? Value(ref reader) : default;
                    ok = true;
                    break;
                case 6 when property.SequenceEqual("teamId"u8):
                    found.TeamId = (int)Number(ref reader);
                    ok = true;
                    break;
                case 7 when property.SequenceEqual("ranking"u8):
                    found.Ranking = (int)Number(ref reader);
                    ok = true;
                    break;
                case 8 when property.SequenceEqual("location"u8):
                    ok = ReadLocation(ref reader, ref found);
                    break;
                case 9 when property.SequenceEqual("accountId"u8):
                    accountId = reader.TokenType == JsonTokenType.String ? Value(ref reader) : default;
                    ok = true;
                    break;
                case 9 when property.SequenceEqual("character"u8):
                    ok = ReadCharacter(ref reader, out wrapped);
                    break;
                default:
                    ok = reader.TrySkip();
                    break;
            }
            if (!ok || !SkipUnread(ref reader))
            {
                return false;
            }
        }
        if (wrapped.Present)
        {
            character = wrapped;
        }
        else if (!accountId.IsEmpty)
        {
            found.Player = _aggregator.Players.Resolve(accountId, name, found.TeamId);
            character = found;
        }
        return true;
    }

    private bool ReadCharacters(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return reader.TrySkip();
        }
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
            if (!ReadCharacter(ref reader, out var character))
            {
                return false;
            }
            if (character.Present)
            {
                _aggregator.PendingRankings.Add((character.Player, character.Ranking));
            }
        }
    }

    private bool ReadAssists(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return reader.TrySkip();
        }
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndArray)
            {
                return true;
            }
            if (reader.TokenType == JsonTokenType.String)
            {
                var accountId = Value(ref reader);
                if (!accountId.IsEmpty)
                {
                    _aggregator.PendingAssists.Add(_aggregator.Players.Resolve(accountId, default, 0));
                }
            }
            else if (!reader.TrySkip())
            {
                return false;
            }
        }
    }

    /// <summary>
    /// The fields of one kind of nested object that the statistics read; <see cref="ReadObject"/> walks the object and
    /// hands each property here. Implemented by structs so that each kind is compiled into its own loop (static
    /// abstract calls on a struct type argument are direct), as fast as a hand-written loop per kind.
    /// </summary>
    private interface IObjectFields<TTarget>
        where TTarget : struct
    {
        /// <summary>Reads the value the reader stands on, of property <paramref name="name"/>, into <paramref name="target"/>
        /// or skips it; false when the buffer ends inside the value.</summary>
        static abstract bool Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ref TTarget target);
    }

    /// <summary>Reads an object property by property through <typeparamref name="TFields"/>; anything but an object
    /// (<c>null</c> included) is skipped. False when the buffer ends inside it (the event is read again after the refill).</summary>
    private static bool ReadObject<TFields, TTarget>(ref Utf8JsonReader reader, ref TTarget target)
        where TFields : struct, IObjectFields<TTarget>
        where TTarget : struct
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return reader.TrySkip();
        }
        while (true)
        {
            if (!reader.Read())
            {
                return false;
            }
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return true;
            }
            var name = Name(ref reader);
            if (!reader.Read() || !TFields.Read(name, ref reader, ref target) || !SkipUnread(ref reader))
            {
                return false;
            }
        }
    }

    /// <summary>A character's <c>location</c> (<c>x</c>, <c>y</c>, <c>z</c> in centimetres).</summary>
    private static bool ReadLocation(ref Utf8JsonReader reader, ref CharacterRef character)
    {
        var isObject = reader.TokenType == JsonTokenType.StartObject;
        if (!ReadObject<LocationFields, CharacterRef>(ref reader, ref character))
        {
            return false;
        }
        character.HasLocation |= isObject;
        return true;
    }

    private readonly struct LocationFields : IObjectFields<CharacterRef>
    {
        public static bool Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ref CharacterRef character)
        {
            if (name.Length == 1)
            {
                switch (name[0])
                {
                    case (byte)'x':
                        character.X = Number(ref reader);
                        return true;
                    case (byte)'y':
                        character.Y = Number(ref reader);
                        return true;
                    case (byte)'z':
                        character.Z = Number(ref reader);
                        return true;
                    default:
                        break;
                }
            }
            return reader.TrySkip();
        }
    }

    /// <summary>
    /// How a hit was dealt: <c>damageReason</c>, <c>damageTypeCategory</c> and <c>distance</c>, read the same way at the
    /// top of legacy kill, damage and groggy events as inside <c>killerDamageInfo</c> of <c>LogPlayerKillV2</c>.
    /// </summary>
    private readonly struct DamageInfoFields : IObjectFields<TelemetryEvent>
    {
        public static bool Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ref TelemetryEvent e)
        {
            switch (name.Length)
            {
                case 8 when name.SequenceEqual("distance"u8):
                    e.Distance = reader.TokenType == JsonTokenType.Number ? Finite(reader.GetDouble()) : null;
                    return true;
                case 12 when name.SequenceEqual("damageReason"u8):
                    e.HeadShot |= IsString(ref reader, "HeadShot"u8);
                    return true;
                case 18 when name.SequenceEqual("damageTypeCategory"u8):
                    e.VehicleHit |= IsString(ref reader, "Damage_VehicleHit"u8);
                    return true;
                default:
                    return reader.TrySkip();
            }
        }
    }

    /// <summary>An <c>item</c>: a weapon by its <c>category</c>, otherwise a heal or boost by its <c>subCategory</c>
    /// (in either order of the two properties).</summary>
    private readonly struct ItemFields : IObjectFields<TelemetryEvent>
    {
        public static bool Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ref TelemetryEvent e)
        {
            if (name.SequenceEqual("category"u8))
            {
                if (IsString(ref reader, "Weapon"u8))
                {
                    e.Item = ItemKind.Weapon; // the category decides over any subCategory
                }
            }
            else if (name.SequenceEqual("subCategory"u8))
            {
                if (e.Item != ItemKind.Weapon)
                {
                    e.Item = IsString(ref reader, "Heal"u8) ? ItemKind.Heal : IsString(ref reader, "Boost"u8) ? ItemKind.Boost : ItemKind.Other;
                }
            }
            else
            {
                return reader.TrySkip();
            }
            return true;
        }
    }

    /// <summary>A <c>vehicle</c>: only whether it is the transport aircraft matters.</summary>
    private readonly struct VehicleFields : IObjectFields<TelemetryEvent>
    {
        public static bool Read(ReadOnlySpan<byte> name, ref Utf8JsonReader reader, ref TelemetryEvent e)
        {
            if (name.SequenceEqual("vehicleType"u8))
            {
                e.Aircraft |= IsString(ref reader, "TransportAircraft"u8);
            }
            else if (name.SequenceEqual("vehicleId"u8))
            {
                e.Aircraft |= reader.TokenType == JsonTokenType.String && Value(ref reader).StartsWith("DummyTransportAircraft"u8);
            }
            else
            {
                return reader.TrySkip();
            }
            return true;
        }
    }

    private static TelemetryEventType EventType(ReadOnlySpan<byte> type)
    {
        if (!type.StartsWith("Log"u8))
        {
            return TelemetryEventType.Unknown;
        }
        return type[3..] switch
        {
            var t when t.SequenceEqual("PlayerPosition"u8) => TelemetryEventType.PlayerPosition,
            var t when t.SequenceEqual("PlayerTakeDamage"u8) => TelemetryEventType.PlayerTakeDamage,
            var t when t.SequenceEqual("ItemPickup"u8) => TelemetryEventType.ItemPickup,
            var t when t.SequenceEqual("ItemPickupFromCarepackage"u8) => TelemetryEventType.ItemPickup,
            var t when t.SequenceEqual("ItemPickupFromLootBox"u8) => TelemetryEventType.ItemPickup,
            var t when t.SequenceEqual("ItemUse"u8) => TelemetryEventType.ItemUse,
            var t when t.SequenceEqual("Heal"u8) => TelemetryEventType.Heal,
            var t when t.SequenceEqual("PlayerKillV2"u8) => TelemetryEventType.PlayerKillV2,
            var t when t.SequenceEqual("PlayerKill"u8) => TelemetryEventType.PlayerKill,
            var t when t.SequenceEqual("PlayerMakeGroggy"u8) => TelemetryEventType.PlayerMakeGroggy,
            var t when t.SequenceEqual("PlayerRevive"u8) => TelemetryEventType.PlayerRevive,
            var t when t.SequenceEqual("VehicleRide"u8) => TelemetryEventType.VehicleRide,
            var t when t.SequenceEqual("VehicleLeave"u8) => TelemetryEventType.VehicleLeave,
            var t when t.SequenceEqual("VehicleDestroy"u8) => TelemetryEventType.VehicleDestroy,
            var t when t.SequenceEqual("SwimStart"u8) => TelemetryEventType.SwimStart,
            var t when t.SequenceEqual("SwimEnd"u8) => TelemetryEventType.SwimEnd,
            var t when t.SequenceEqual("ParachuteLanding"u8) => TelemetryEventType.ParachuteLanding,
            var t when t.SequenceEqual("MatchDefinition"u8) => TelemetryEventType.MatchDefinition,
            var t when t.SequenceEqual("MatchStart"u8) => TelemetryEventType.MatchStart,
            var t when t.SequenceEqual("MatchEnd"u8) => TelemetryEventType.MatchEnd,
            _ => TelemetryEventType.Unknown,
        };
    }

    /// <summary>
    /// Skips an object or array value that a field reader left unread because it expected a number or a string there
    /// (<see cref="Number"/>, <see cref="IsString"/>): without this the reader would walk into the container and take its
    /// end for the end of the enclosing object. False when the buffer ends inside it.
    /// </summary>
    private static bool SkipUnread(ref Utf8JsonReader reader) =>
        reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray) || reader.TrySkip();

    private static double Number(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number ? Finite(reader.GetDouble()) : 0;

    /// <summary>A number as large as <c>1e400</c> reads as infinity, which neither the statistics nor JSON can carry.</summary>
    private static double Finite(double value) =>
        double.IsFinite(value) ? value : throw new FormatException($"the number {value} is out of range");

    private static bool IsString(ref Utf8JsonReader reader, ReadOnlySpan<byte> expected) =>
        reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(expected);

    private static string? String(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.String ? SafeText.Clean(reader.GetString()!) : null;

    /// <summary>A property name's bytes; an escaped name (never seen in real telemetry) is unescaped first.</summary>
    private static ReadOnlySpan<byte> Name(scoped ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;

    /// <summary>A string value's bytes, unescaped when needed (player names may carry escapes).</summary>
    private static ReadOnlySpan<byte> Value(scoped ref Utf8JsonReader reader) =>
        reader.ValueIsEscaped ? Encoding.UTF8.GetBytes(reader.GetString()!) : reader.ValueSpan;
}
