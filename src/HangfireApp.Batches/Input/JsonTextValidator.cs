using System.Buffers;
using System.Text;
using System.Text.Json;

namespace HangfireApp.Batches.Input;

/// <summary>Where a JSON document breaks the rules, and how: <see cref="Path"/> is like <c>items[3].name</c> (<c>$</c>: the root).</summary>
public sealed record JsonTextProblem(string Path, string Message);

/// <summary>
/// Checks a JSON document, streamed, before anything parses it for real: well-formed within a nesting depth, valid
/// UTF-8, and every string and property name following <see cref="TextRules"/>. System.Text.Json itself accepts an
/// escaped <c>"\u0000"</c> and keeps <c>"\ud800"</c> or invalid UTF-8 inside a <see cref="JsonElement"/> as they came
/// (they fail later, in PostgreSQL or on first read), so the API and the file readers run this first. Hand-written
/// because no library checks text content while streaming; <see cref="Utf8JsonReader"/> does the parsing.
/// </summary>
public static class JsonTextValidator
{
    /// <summary>The nesting limit of System.Text.Json's defaults (the API binds with the same).</summary>
    public const int DefaultMaxDepth = 64;

    private const int InitialBuffer = 64 * 1024;

    /// <summary>The first problem of the document in <paramref name="utf8Json"/>, or null. An empty input is not judged.</summary>
    public static JsonTextProblem? Validate(ReadOnlySpan<byte> utf8Json, int maxDepth = DefaultMaxDepth)
    {
        if (utf8Json.IsEmpty)
        {
            return null;
        }
        var walk = new Walk();
        var reader = new Utf8JsonReader(utf8Json, isFinalBlock: true, new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth }));
        return walk.Run(ref reader);
    }

    /// <summary>
    /// The first problem of the document read from <paramref name="stream"/> (to its end, or to the first problem), or
    /// null. Memory stays at the largest single token, whatever the document's size. An empty stream is not judged.
    /// </summary>
    public static async Task<JsonTextProblem?> ValidateAsync(Stream stream, int maxDepth = DefaultMaxDepth, CancellationToken cancellationToken = default)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        try
        {
            var walk = new Walk();
            var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = maxDepth });
            var (filled, final, total) = (0, false, 0L);
            while (true)
            {
                while (!final && filled < buffer.Length)
                {
                    var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                    final = read == 0;
                    filled += read;
                    total += read;
                }
                if (total == 0)
                {
                    return null;
                }
                var (consumed, problem) = walk.Step(buffer.AsSpan(0, filled), final, ref state);
                if (problem is not null || final)
                {
                    return problem;
                }
                if (consumed == 0 && filled == buffer.Length)
                {
                    // One token is larger than the buffer: grow it.
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                    continue;
                }
                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The walk's position (for the path of a problem) across the blocks of a stream.</summary>
    private sealed class Walk
    {
        private readonly List<Frame> _frames = [];
        private char[] _chars = new char[256];

        public (int Consumed, JsonTextProblem? Problem) Step(ReadOnlySpan<byte> block, bool final, ref JsonReaderState state)
        {
            var reader = new Utf8JsonReader(block, final, state);
            var problem = Run(ref reader);
            state = reader.CurrentState;
            return ((int)reader.BytesConsumed, problem);
        }

        public JsonTextProblem? Run(ref Utf8JsonReader reader)
        {
            try
            {
                while (reader.Read())
                {
                    if (Visit(ref reader) is { } problem)
                    {
                        return problem;
                    }
                }
                return null;
            }
            catch (JsonException e)
            {
                return new JsonTextProblem(Path(), $"is not valid JSON: {e.Message}");
            }
        }

        private JsonTextProblem? Visit(ref Utf8JsonReader reader)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    var name = Text(ref reader, out var nameProblem);
                    // A bad name is not shown: the path names the object that has it.
                    _frames[^1] = _frames[^1] with { Property = nameProblem is null ? name : null };
                    return nameProblem is null ? null : new JsonTextProblem(Path(), $"has a property name that {nameProblem}");
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    _frames.RemoveAt(_frames.Count - 1);
                    return null;
            }
            if (_frames.Count > 0 && _frames[^1].IsArray)
            {
                _frames[^1] = _frames[^1] with { Index = _frames[^1].Index + 1 };
            }
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                    _frames.Add(new Frame(IsArray: false, Index: -1, Property: null));
                    return null;
                case JsonTokenType.StartArray:
                    _frames.Add(new Frame(IsArray: true, Index: -1, Property: null));
                    return null;
                case JsonTokenType.String:
                    Text(ref reader, out var problem);
                    return problem is null ? null : new JsonTextProblem(Path(), problem);
                default:
                    return null;
            }
        }

        /// <summary>
        /// Decodes a string or property name only when it could break the rule: plain ASCII without escapes cannot
        /// (the reader already refuses raw control characters), which is nearly every name and most values.
        /// </summary>
        private string? Text(ref Utf8JsonReader reader, out string? problem)
        {
            problem = null;
            var raw = reader.ValueSpan;
            if (!reader.ValueIsEscaped && Ascii.IsValid(raw))
            {
                return reader.TokenType == JsonTokenType.PropertyName ? Encoding.ASCII.GetString(raw) : null;
            }
            if (_chars.Length < raw.Length)
            {
                _chars = new char[Math.Max(raw.Length, _chars.Length * 2)];
            }
            int length;
            try
            {
                length = reader.CopyString(_chars);
            }
            catch (InvalidOperationException e)
            {
                // Invalid UTF-8, or an escaped surrogate without its pair: the reader says which.
                problem = e.Message.Contains("UTF-8", StringComparison.Ordinal)
                    ? "is not valid UTF-8."
                    : "must not contain a lone UTF-16 surrogate: it is not valid Unicode.";
                return null;
            }
            var text = _chars.AsSpan(0, length);
            problem = TextRules.Problem(text);
            return reader.TokenType == JsonTokenType.PropertyName ? new string(text) : null;
        }

        private string Path()
        {
            var path = new StringBuilder();
            foreach (var frame in _frames)
            {
                if (frame.IsArray && frame.Index >= 0)
                {
                    path.Append('[').Append(frame.Index).Append(']');
                }
                else if (!frame.IsArray && frame.Property is not null)
                {
                    if (path.Length > 0)
                    {
                        path.Append('.');
                    }
                    path.Append(frame.Property);
                }
            }
            return path.Length == 0 ? "$" : path.ToString();
        }

        private readonly record struct Frame(bool IsArray, int Index, string? Property);
    }
}
