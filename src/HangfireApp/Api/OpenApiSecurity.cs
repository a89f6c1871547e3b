using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HangfireApp.Api;

/// <summary>
/// Declares the <c>X-Api-Key</c> header scheme in the OpenAPI document and requires it on every operation that needs
/// authorization (anonymous ones, such as the health checks, stay without), so generated clients and API explorers
/// send the key.
/// </summary>
internal static class OpenApiSecurity
{
    public const string SchemeName = "ApiKey";

    public static OpenApiOptions AddApiKeyScheme(this OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = "X-Api-Key",
                Description = "An API key of Auth:ApiKeys (roles viewer < operator < admin); see the README.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAuthorizeData>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, context.Document)] = [] });
                operation.Responses ??= new OpenApiResponses();
                operation.Responses.TryAdd("401", new OpenApiResponse { Description = "No or an unknown API key." });
                operation.Responses.TryAdd("403", new OpenApiResponse { Description = "The key's role is too weak for this call." });
            }
            return Task.CompletedTask;
        });
        return options;
    }
}
