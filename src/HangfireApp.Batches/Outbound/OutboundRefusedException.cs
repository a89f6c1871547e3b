namespace HangfireApp.Batches.Outbound;

/// <summary>
/// The outbound policy refused a request: a non-public address, credentials in the URL, a scheme other than http(s),
/// too many redirects. Never retried: the same URL is refused every time. It reaches callers as itself or as the inner
/// exception of an <see cref="HttpRequestException"/> (when refused at connect); <see cref="Find"/> finds it in both.
/// </summary>
public sealed class OutboundRefusedException : Exception
{
    public OutboundRefusedException()
    {
    }

    public OutboundRefusedException(string message)
        : base(message)
    {
    }

    public OutboundRefusedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The refusal in <paramref name="exception"/> or its inner exceptions, if any.</summary>
    public static OutboundRefusedException? Find(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is OutboundRefusedException refused)
            {
                return refused;
            }
        }
        return null;
    }
}
