using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Batches.Audit;

/// <summary>
/// Records an operator API call in the audit log once it has succeeded (a 2xx result; a refused call throws or
/// answers 4xx and leaves no entry). For the calls whose action has no transaction of its own to record in —
/// the batch calls record inside theirs (<see cref="HangfireApp.Batches.Submit.BatchSubmitter"/>, <see cref="HangfireApp.Batches.Control.BatchControl"/>).
/// The entry is written after the action committed, so a crash in between can lose it (never invent one).
/// </summary>
public static class AuditedAction
{
    public static TBuilder Audited<TBuilder>(this TBuilder builder, string action)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var returned = await next(context);
            // Results<A, B> wraps the result that was chosen.
            var result = returned is INestedHttpResult nested ? nested.Result : returned;
            // 200 with a batch is an idempotent repeat of a submit: the first call was recorded.
            var repeat = result is IStatusCodeHttpResult { StatusCode: 200 } and IValueHttpResult { Value: HangfireApp.Batches.Queries.BatchView };
            if (result is IStatusCodeHttpResult { StatusCode: >= 200 and < 300 } && !repeat)
            {
                var http = context.HttpContext;
                var value = (result as IValueHttpResult)?.Value;
                var batchId = value switch
                {
                    HangfireApp.Batches.Queries.BatchView batch => batch.Id,
                    // Worker-type submits answer a view that carries the batch (rows: {batch, rows, columns, …}).
                    not null => (value.GetType().GetProperty("Batch")?.GetValue(value) as HangfireApp.Batches.Queries.BatchView)?.Id,
                    null => null,
                };
                var target = batchId is { } idOfBatch ? $"batch:{idOfBatch}"
                    : value is HangfireApp.Batches.Schedules.ScheduleView schedule ? $"schedule:{schedule.Id}"
                    : http.Request.RouteValues.TryGetValue("id", out var id) ? $"{action.Split('.')[0]}:{id}"
                    // Calls on a collection (register packages, import advisories) act on it as a whole.
                    : $"{action.Split('.')[0]}:*";
                await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(
                    http.User.Identity?.Name ?? "unknown", action, target, Details(http, result, value), http.RequestAborted);
            }
            return returned;
        });

    /// <summary>What the call did, as its answer says: the status and the answer itself when it is small (API answers
    /// never carry secrets: the rows call's secret headers come back redacted), else its size.</summary>
    private static object Details(HttpContext http, object? result, object? value)
    {
        var status = (result as IStatusCodeHttpResult)?.StatusCode;
        System.Text.Json.JsonElement? json = value is null ? null : System.Text.Json.JsonSerializer.SerializeToElement(value, value.GetType(), AuditJson);
        var small = json is { } element && element.GetRawText().Length <= MaxDetailChars;
        return new
        {
            request = $"{http.Request.Method} {http.Request.Path}",
            status,
            result = small ? json : (System.Text.Json.JsonElement?)null,
            resultChars = small || json is null ? (int?)null : json.Value.GetRawText().Length,
        };
    }

    private const int MaxDetailChars = 4096;

    private static readonly System.Text.Json.JsonSerializerOptions AuditJson = new(System.Text.Json.JsonSerializerDefaults.Web);
}
