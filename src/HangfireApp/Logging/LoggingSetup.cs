using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace HangfireApp.Logging;

public static class LoggingSetup
{
    /// <summary>Stage one of the two-stage setup: a logger that exists before configuration is read,
    /// so a failure to start (bad settings included) is still logged.</summary>
    public static void CreateBootstrapLogger() =>
        Log.Logger = new LoggerConfiguration()
            .MinimumLevel.Information()
            .WriteTo.Console(new RenderedCompactJsonFormatter())
            .CreateBootstrapLogger();

    /// <summary>Stage two: Serilog from the <c>Serilog</c> section; a readable console in Development,
    /// compact JSON otherwise; scope properties (a job's <c>JobId</c>) on every line.</summary>
    public static WebApplicationBuilder AddLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (development)
            {
                logger.WriteTo.Console(outputTemplate:
                    "[{Timestamp:HH:mm:ss} {Level:u3}] {Message:lj} {JobId}{NewLine}{Exception}");
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        });
        return builder;
    }

    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options => options.GetLevel = (context, _, exception) => RequestLevel(context, exception));
        return app;
    }

    /// <summary>
    /// The level of a request's completion line. Server errors are errors. Client errors (4xx) are Debug: anyone who
    /// can reach the port can make them by the million (2 M requests to <c>/</c> wrote 788 MB of 404 lines at
    /// Information), and the refusals that matter are logged by their handlers (a failed sign-in is a Warning).
    /// Health probes arrive every few seconds: Verbose.
    /// </summary>
    public static LogEventLevel RequestLevel(HttpContext context, Exception? exception) =>
        exception is not null || context.Response.StatusCode >= 500 ? LogEventLevel.Error
        : context.Response.StatusCode >= 400 ? LogEventLevel.Debug
        : context.Request.Path.StartsWithSegments("/health") ? LogEventLevel.Verbose
        : LogEventLevel.Information;
}
