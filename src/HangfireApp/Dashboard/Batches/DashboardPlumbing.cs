using Hangfire.Dashboard;
using Microsoft.AspNetCore.Mvc;

namespace HangfireApp.Dashboard.Batches;

/// <summary>A client mistake on a dashboard route, answered as RFC 9457 ProblemDetails (naming the field when there is one).</summary>
internal sealed class DashboardProblemException(int status, string title, string detail, string? field = null) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? Field { get; } = field;

    public static DashboardProblemException BadField(string field, string message) => new(StatusCodes.Status400BadRequest, "The request is invalid.", message, field);

    public static DashboardProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public ProblemDetails ToProblemDetails() => Field is null
        ? new ProblemDetails { Status = Status, Title = Title, Detail = Message }
        : new HttpValidationProblemDetails(new Dictionary<string, string[]> { [Field] = [Message] }) { Status = Status, Title = Title, Detail = Message };
}

/// <summary>
/// A dashboard page rendered inside Hangfire's layout from a model that was loaded asynchronously before.
/// Hangfire's <see cref="RazorPage.Execute"/> is synchronous and the page's <c>Assign(DashboardContext)</c> is
/// internal, so the model travels in <see cref="HttpContext.Items"/> and Hangfire's own page dispatcher renders.
/// </summary>
internal abstract class ModelPage<TModel> : RazorPage
    where TModel : class
{
    protected TModel Model => (TModel)Context.GetHttpContext().Items[typeof(TModel)]!;
}

/// <summary>Loads a page's model (which may refuse with a <see cref="DashboardProblemException"/>), then renders the page.</summary>
internal sealed class ModelPageDispatcher<TModel> : IDashboardDispatcher
    where TModel : class
{
    private readonly Func<DashboardContext, HttpContext, Task<TModel>> _load;
    private readonly IDashboardDispatcher _render;

    public ModelPageDispatcher(Func<DashboardContext, HttpContext, Task<TModel>> load, Func<RazorPage> page)
    {
        _load = load;
        // Hangfire's RazorPageDispatcher is internal; a private route collection hands one out.
        var routes = new Hangfire.Dashboard.RouteCollection();
        routes.AddRazorPage("/", _ => page());
        _render = routes.FindDispatcher("/").Item1;
    }

    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        TModel model;
        try
        {
            model = await _load(context, http);
        }
        catch (DashboardProblemException problem)
        {
            await DashboardResponses.ProblemAsync(http, problem);
            return;
        }
        http.Items[typeof(TModel)] = model;
        await _render.Dispatch(context);
    }
}

/// <summary>A JSON route of the dashboard (live refresh); client mistakes become ProblemDetails.</summary>
internal sealed class JsonDispatcher(Func<DashboardContext, HttpContext, Task<object>> load) : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        try
        {
            var value = await load(context, http);
            http.Response.Headers.CacheControl = "no-store";
            await http.Response.WriteAsJsonAsync(value, value.GetType(), DashboardResponses.Json, http.RequestAborted);
        }
        catch (DashboardProblemException problem)
        {
            await DashboardResponses.ProblemAsync(http, problem);
        }
    }
}

internal static class DashboardResponses
{
    public static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static Task ProblemAsync(HttpContext http, DashboardProblemException problem) =>
        TypedResults.Problem(problem.ToProblemDetails()).ExecuteAsync(http);

    /// <summary>A positive page number from the query string (1 when absent).</summary>
    public static int PageNumber(DashboardContext context, string field)
    {
        var text = context.Request.GetQuery(field);
        if (string.IsNullOrEmpty(text))
        {
            return 1;
        }
        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var page) && page >= 1
            ? page
            : throw DashboardProblemException.BadField(field, $"{field} must be a whole number from 1.");
    }

    public static long RouteId(DashboardContext context, string group) =>
        long.TryParse(context.UriMatch.Groups[group].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id)
            ? id
            : throw DashboardProblemException.BadField(group, $"{group} is out of range.");
}
