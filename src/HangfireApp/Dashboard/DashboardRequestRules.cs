using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace HangfireApp.Dashboard;

/// <summary>
/// Refuses, with a 4xx, the dashboard requests Hangfire's handlers would answer with a 500. Hangfire's stats handler
/// (<c>/hangfire/stats</c>, which its pages POST every few seconds) and its commands read the request's form without
/// checking that there is one: a GET of <c>/hangfire/stats</c> or a POST with a JSON body threw "Incorrect
/// Content-Type" inside Hangfire. Its own pages post forms or nothing, so these rules never refuse them.
/// </summary>
internal static class DashboardRequestRules
{
    private const string StatsPath = "/stats";

    /// <summary>Runs after authorization (an anonymous browser is still sent to the login page) and before Hangfire.</summary>
    public static WebApplication UseDashboardRequestRules(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            if (!context.Request.Path.StartsWithSegments(DashboardSetup.DashboardPath, out var rest))
            {
                await next(context);
                return;
            }
            var isPost = HttpMethods.IsPost(context.Request.Method);
            if (rest.Equals(StatsPath, StringComparison.OrdinalIgnoreCase) && !isPost)
            {
                context.Response.Headers.Allow = "POST";
                await RefuseAsync(context, StatusCodes.Status405MethodNotAllowed, "The dashboard's stats are POSTed as a form (metrics[]=…).");
                return;
            }
            if (isPost && !context.Request.HasFormContentType)
            {
                if (HasBody(context.Request))
                {
                    await RefuseAsync(context, StatusCodes.Status415UnsupportedMediaType,
                        "Dashboard commands are forms: send application/x-www-form-urlencoded or multipart/form-data.");
                    return;
                }
                // Hangfire's own pages post some commands with no body at all (no Content-Type either): an empty form.
                context.Features.Set<IFormFeature>(new FormFeature(FormCollection.Empty));
            }
            await next(context);
        });
        return app;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    private static async Task RefuseAsync(HttpContext context, int status, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = "Unsupported dashboard request", Detail = detail },
        });
    }
}
