namespace HangfireApp.Workers.Rows;

/// <summary>
/// An uploaded CSV that cannot be used: malformed quoting, a row with the wrong number of fields, no or a bad
/// header, too large. <see cref="LineNumber"/> is the 1-based physical line where the offending record starts
/// (0 when the problem is not tied to a line); the message already says "line N: …" for the API's 400 answer.
/// </summary>
public sealed class CsvInputException : Exception
{
    public CsvInputException()
    {
    }

    public CsvInputException(string message)
        : base(message)
    {
    }

    public CsvInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CsvInputException(int lineNumber, string message, Exception? innerException = null)
        : base(lineNumber > 0 ? $"line {lineNumber}: {message}" : message, innerException)
    {
        LineNumber = lineNumber;
    }

    /// <summary>The 1-based line of the offending record, or 0.</summary>
    public int LineNumber { get; }
}
