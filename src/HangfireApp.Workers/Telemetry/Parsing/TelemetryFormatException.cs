using HangfireApp.Batches.WorkerTypes;

namespace HangfireApp.Workers.Telemetry.Parsing;

/// <summary>
/// The telemetry file is not a valid event array (malformed or truncated JSON, corrupt gzip, an event too large):
/// reading it again cannot help, so the match fails for good. <see cref="ByteOffset"/> counts uncompressed bytes
/// from the start of the JSON; <see cref="EventIndex"/> is the 0-based index of the event being read.
/// </summary>
public sealed class TelemetryFormatException : Exception, IItemFailure
{
    public TelemetryFormatException()
    {
    }

    public TelemetryFormatException(string message)
        : base(message)
    {
    }

    public TelemetryFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TelemetryFormatException(string problem, long byteOffset, long eventIndex, Exception? innerException = null)
        : base($"Telemetry is malformed at byte offset {byteOffset} (event index {eventIndex}): {problem}", innerException)
    {
        ByteOffset = byteOffset;
        EventIndex = eventIndex;
    }

    public long ByteOffset { get; }

    public long EventIndex { get; }

    public bool Retryable => false;
}
