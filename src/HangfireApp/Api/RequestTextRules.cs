using HangfireApp.Batches.Input;
using HangfireApp.Dashboard;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace HangfireApp.Api;

/// <summary>
/// <see cref="TextRules"/> at the entry, once for every endpoint: the path, query string, JSON bodies (checked as a
/// stream by <see cref="JsonTextValidator"/> before any endpoint binds or parses them) and the text fields of forms.
/// A request that breaks a rule is a 400 <see cref="HttpValidationProblemDetails"/> naming the field, before any
/// handler runs, so nothing is half-written. Files inside forms (CSV, SBOM, OSV, zip) are checked by their readers.
/// The dashboard's own requests are Hangfire's business (<see cref="DashboardRequestRules"/>).
/// </summary>
public static class RequestTextRules
{
    /// <summary>Runs after authentication and authorization: an anonymous caller never gets its body read.</summary>
    public static WebApplication UseRequestTextRules(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (context.Request.Path.StartsWithSegments(DashboardSetup.DashboardPath)
                || await ProblemAsync(context) is not { } problem)
            {
                await next(context);
                return;
            }
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { [problem.Path] = [problem.Message] })
                {
                    Status = StatusCodes.Status400BadRequest, Title = "The request is invalid.",
                },
            });
        });
        return app;
    }

    private static async Task<JsonTextProblem?> ProblemAsync(HttpContext context)
    {
        var request = context.Request;
        if (TextRules.Problem(request.Path.Value) is { } pathProblem)
        {
            return new JsonTextProblem("path", $"The path {pathProblem}");
        }
        foreach (var (key, values) in request.Query)
        {
            if (Field(key, values) is { } queryProblem)
            {
                return queryProblem;
            }
        }
        if (IsJson(request.ContentType) && HasBody(context))
        {
            // Buffered (to disk past 30 KB) so that the endpoint reads the same body after the check.
            request.EnableBuffering();
            var problem = await JsonTextValidator.ValidateAsync(request.Body, JsonTextValidator.DefaultMaxDepth, context.RequestAborted);
            request.Body.Position = 0;
            return problem;
        }
        if (request.HasFormContentType)
        {
            IFormCollection form;
            try
            {
                form = await request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // A truncated multipart body, a bad boundary, too many parts: the client's form, not our fault.
                return new JsonTextProblem("form", $"The form could not be read: {e.Message}");
            }
            foreach (var (key, values) in form)
            {
                if (Field(key, values) is { } formProblem)
                {
                    return formProblem;
                }
            }
            foreach (var file in form.Files)
            {
                if ((TextRules.Problem(file.Name) ?? TextRules.Problem(file.FileName)) is { } fileProblem)
                {
                    return new JsonTextProblem("form", $"A file part's name or file name {fileProblem}");
                }
            }
        }
        return null;
    }

    private static JsonTextProblem? Field(string key, StringValues values)
    {
        if (TextRules.Problem(key) is { } keyProblem)
        {
            return new JsonTextProblem("$", $"A field name {keyProblem}");
        }
        foreach (var value in values)
        {
            if (value is not null && TextRules.Problem(value) is { } valueProblem)
            {
                return new JsonTextProblem(key, $"{key} {valueProblem}");
            }
        }
        return null;
    }

    private static bool HasBody(HttpContext context) =>
        context.Request.ContentLength is > 0
        || (context.Request.ContentLength is null && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    /// <summary><c>application/json</c> and every <c>+json</c> type (e.g. CycloneDX's <c>application/vnd.cyclonedx+json</c>).</summary>
    private static bool IsJson(string? contentType) =>
        contentType is not null
        && Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(contentType, out var media)
        && (media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
            || media.MediaType.Value!.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
