using Npgsql;

namespace HangfireApp.Api;

/// <summary>
/// Tells a lost or refused database connection (a restart, a failover, a dead pooled connection) from an error the
/// database answered, so the API can say 503 "come back" instead of 500. Such a failure almost always wrote nothing
/// (the statement never ran, or its transaction died with the connection); only a connection lost during COMMIT leaves
/// the outcome unknown, which repeating a submit with its Idempotency-Key settles.
/// </summary>
internal static class DatabaseUnavailable
{
    /// <summary>Seconds a client should wait before retrying; a restart takes a few.</summary>
    public const int RetryAfterSeconds = 2;

    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // An answer from a running server counts only when it is about the connection: class 08, or the server
                // shutting down or starting up (57P01–57P03).
                case PostgresException postgres:
                    return postgres.SqlState.StartsWith("08", StringComparison.Ordinal)
                        || postgres.SqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;
                // Any other Npgsql error is Npgsql failing to reach the server or losing it (socket, timeout).
                case NpgsqlException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Drops the pooled connections — after a restart each one is dead and would fail one more request — and asks the
    /// client to come back.
    /// </summary>
    public static void Answer(HttpContext httpContext)
    {
        httpContext.RequestServices.GetService<NpgsqlDataSource>()?.Clear();
        NpgsqlConnection.ClearAllPools(); // Hangfire's storage opens its connections from the connection string
        httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
