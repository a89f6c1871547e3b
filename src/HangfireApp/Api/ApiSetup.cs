using HangfireApp.Batches;

namespace HangfireApp.Api;

public static class ApiSetup
{
    /// <summary>ProblemDetails for every error (RFC 9457), the request size limit and the OpenAPI document.</summary>
    public static WebApplicationBuilder AddApi(this WebApplicationBuilder builder)
    {
        builder.Services.AddProblemDetails();
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
