namespace HangfireApp.Workers.Packages.Osv;

/// <summary>OSV input that is not valid JSON or not an OSV record; the message names the record or file.</summary>
public sealed class OsvFormatException : Exception
{
    public OsvFormatException()
    {
    }

    public OsvFormatException(string message)
        : base(message)
    {
    }

    public OsvFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
