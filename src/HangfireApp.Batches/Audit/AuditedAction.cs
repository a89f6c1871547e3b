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
                var target = result is IValueHttpResult { Value: HangfireApp.Batches.Queries.BatchView batch } ? $"batch:{batch.Id}"
                    : result is IValueHttpResult { Value: HangfireApp.Batches.Schedules.ScheduleView schedule } ? $"schedule:{schedule.Id}"
                    : http.Request.RouteValues.TryGetValue("id", out var id) ? $"{action.Split('.')[0]}:{id}" : null;
                await http.RequestServices.GetRequiredService<AuditLog>().RecordAsync(
                    http.User.Identity?.Name ?? "unknown", action, target, null, http.RequestAborted);
            }
            return returned;
        });
}
