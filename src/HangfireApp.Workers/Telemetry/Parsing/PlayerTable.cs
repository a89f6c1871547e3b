using System.Text;

namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>
/// The match's players keyed by the UTF-8 bytes of their <c>accountId</c>, looked up straight from the reader's
/// buffer. Hand-written because every character of every event (tens of thousands per match) is resolved here
/// and the BCL's dictionaries need a string or char key, i.e. a transcoding or an allocation per lookup.
/// Open addressing with linear probing; a match has ~100 players, so the table stays tiny.
/// </summary>
public sealed class PlayerTable
{
    private byte[][] _keys = new byte[256][];
    private int[] _slots = new int[256];
    private readonly List<PlayerState> _players = [];

    public IReadOnlyList<PlayerState> Players => _players;

    public int Count => _players.Count;

    public PlayerState this[int index] => _players[index];

    /// <summary>The player's index, adding the player on first sight. <paramref name="name"/> fills an unknown name.</summary>
    public int Resolve(ReadOnlySpan<byte> accountId, ReadOnlySpan<byte> name, int teamId)
    {
        var mask = _keys.Length - 1;
        var slot = Hash(accountId) & mask;
        while (true)
        {
            var key = _keys[slot];
            if (key is null)
            {
                break;
            }
            if (accountId.SequenceEqual(key))
            {
                var player = _players[_slots[slot]];
                player.Update(name, teamId);
                return player.Index;
            }
            slot = (slot + 1) & mask;
        }
        var added = new PlayerState(_players.Count, SafeText.Clean(Encoding.UTF8.GetString(accountId)));
        added.Update(name, teamId);
        _players.Add(added);
        _keys[slot] = accountId.ToArray();
        _slots[slot] = added.Index;
        if (_players.Count * 2 > _keys.Length)
        {
            Grow();
        }
        return added.Index;
    }

    private void Grow()
    {
        var keys = _keys;
        var slots = _slots;
        _keys = new byte[keys.Length * 2][];
        _slots = new int[keys.Length * 2];
        var mask = _keys.Length - 1;
        for (var i = 0; i < keys.Length; i++)
        {
            if (keys[i] is { } key)
            {
                var slot = Hash(key) & mask;
                while (_keys[slot] is not null)
                {
                    slot = (slot + 1) & mask;
                }
                _keys[slot] = key;
                _slots[slot] = slots[i];
            }
        }
    }

    private static int Hash(ReadOnlySpan<byte> bytes)
    {
        var hash = new HashCode();
        hash.AddBytes(bytes);
        return hash.ToHashCode() & int.MaxValue;
    }
}
