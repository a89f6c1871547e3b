using System.Text.Json.Serialization;
using HangfireApp.Batches;

namespace HangfireApp.Api;

public static class ApiSetup
{
    /// <summary>ProblemDetails for every error (RFC 9457), the request size limit and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
        // The web defaults read "5" as the number 5: a string where the contract says number is the client's mistake
        // ("chunkSize":"5" was accepted). Strict numbers only; nesting stays at System.Text.Json's 64.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        // A body that does not bind throws (in every environment, not only Development), so that ApiExceptionHandler
        // answers a ProblemDetails naming the field instead of a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddExceptionHandler<ApiExceptionHandler>();
        builder.Services.AddOpenApi(options => options.AddApiKeyScheme());
        var maxBody = builder.Configuration.GetValue<long?>($"{BatchLimitsOptions.Section}:MaxRequestBodyBytes") ?? new BatchLimitsOptions().MaxRequestBodyBytes;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = maxBody);
        return builder;
    }

    public static WebApplication UseApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.MapOpenApi();
        return app;
    }
}
