using System.Globalization;

namespace HangfireApp.Batches.JobOutput;

/// <summary>A console line waiting to be written.</summary>
public readonly record struct ConsoleLine(DateTime At, ConsoleTextColor? Color, string Text);

/// <summary>What one flush writes: the lines in the order they were written and the progress bars that changed.</summary>
public sealed record ConsoleBatch(IReadOnlyList<ConsoleLine> Lines, IReadOnlyDictionary<string, double> Progress)
{
    public bool IsEmpty => Lines.Count == 0 && Progress.Count == 0;
}

/// <summary>
/// The in-memory side of a console section, free of I/O: thread-safe appends (items write in parallel), a cap
/// on the lines a section may keep, a cap on a line's length, and the latest value of each progress bar
/// (only the last value before a flush is written). A writer never waits for the database, only for this lock.
/// </summary>
public sealed class ConsoleBuffer(int maxLines, int maxLineLength)
{
    private const int MaxProgressNameLength = 100;
    private readonly Lock _lock = new();
    private List<ConsoleLine> _lines = [];
    private Dictionary<string, double> _progress = new(StringComparer.Ordinal);
    private int _accepted;
    private int _dropped;
    private bool _dropNoted;

    /// <summary>Lines waiting for the next flush.</summary>
    public int Pending
    {
        get
        {
            lock (_lock)
            {
                return _lines.Count;
            }
        }
    }

    /// <summary>Lines refused because the section reached its cap.</summary>
    public int Dropped
    {
        get
        {
            lock (_lock)
            {
                return _dropped;
            }
        }
    }

    /// <summary>Adds a line (cut to the length cap); returns the number of lines now waiting.</summary>
    public int Add(DateTime at, string? text, ConsoleTextColor? color)
    {
        var line = new ConsoleLine(at, color, Clean(text, maxLineLength));
        lock (_lock)
        {
            if (_accepted >= maxLines)
            {
                _dropped++;
                if (!_dropNoted)
                {
                    // Said once, where it happens; the count follows when the section ends.
                    _dropNoted = true;
                    _lines.Add(new ConsoleLine(at, ConsoleTextColor.Yellow,
                        string.Create(CultureInfo.InvariantCulture, $"Console limit of {maxLines:N0} lines reached: further lines are dropped")));
                }
                return _lines.Count;
            }
            _accepted++;
            _lines.Add(line);
            return _lines.Count;
        }
    }

    /// <summary>Records a progress bar's value, clamped to 0..100 (NaN counts as 0).</summary>
    public void SetProgress(string name, double percent)
    {
        var value = double.IsNaN(percent) ? 0 : Math.Clamp(percent, 0, 100);
        var key = Clean(string.IsNullOrWhiteSpace(name) ? "progress" : name, MaxProgressNameLength);
        lock (_lock)
        {
            _progress[key] = value;
        }
    }

    /// <summary>Takes everything waiting. The final drain of a section also says how many lines were dropped.</summary>
    public ConsoleBatch Drain(bool final, DateTime now)
    {
        lock (_lock)
        {
            if (final && _dropped > 0)
            {
                _lines.Add(new ConsoleLine(now, ConsoleTextColor.Yellow,
                    string.Create(CultureInfo.InvariantCulture, $"{_dropped:N0} line(s) dropped over the limit of {maxLines:N0}")));
                _dropped = 0;
            }
            var batch = new ConsoleBatch(_lines, _progress);
            _lines = [];
            _progress = new Dictionary<string, double>(StringComparer.Ordinal);
            return batch;
        }
    }

    /// <summary>Text as PostgreSQL can store it (no NUL characters), cut to <paramref name="max"/> characters.</summary>
    public static string Clean(string? text, int max)
    {
        text ??= string.Empty;
        return Clip(text.Contains('\0', StringComparison.Ordinal) ? text.Replace('\0', '\uFFFD') : text, max);
    }

    /// <summary>Cuts text longer than <paramref name="max"/> characters and says how much was cut.</summary>
    public static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }
        var keep = max;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--; // never split a surrogate pair: PostgreSQL rejects the half character
        }
        return string.Create(CultureInfo.InvariantCulture, $"{text.AsSpan(0, keep)}… ({text.Length - keep:N0} more characters)");
    }
}
