using Hangfire.Dashboard;
using HangfireApp.Batches.Submit;
using HangfireApp.Batches.Control;
using HangfireApp.Batches.Queries;
using Microsoft.AspNetCore.Antiforgery;

namespace HangfireApp.Dashboard.Batches;

internal enum BatchAction
{
    Cancel,
    Rerun,
    RerunChunk,
}

/// <summary>
/// An operator action posted from a batch page. Refused unless it is a POST from a user who may operate on a
/// dashboard that is not read-only, carrying the dashboard's antiforgery token (Hangfire's middleware checks the
/// token before any dashboard route; it is checked here again so that these routes never depend on that alone).
/// Answers the batch as the live refresh shows it, or ProblemDetails: 404 unknown batch or chunk, 409 when the
/// batch's state does not allow the action, 400 naming a bad field.
/// </summary>
internal sealed class BatchActionDispatcher(BatchAction action) : IDashboardDispatcher
{
    public async Task Dispatch(DashboardContext context)
    {
        var http = context.GetHttpContext();
        try
        {
            await EnsureOperatorPostAsync(context, http, "Batch actions are POST requests.",
                "This dashboard is read-only for you: batch actions need an operator.");
            var batchId = DashboardResponses.RouteId(context, "id");
            var scope = await ReadScopeAsync(http);
            var actor = BatchesDashboardAccess.Actor(http);
            var queries = http.RequestServices.GetRequiredService<BatchQueries>();
            var control = http.RequestServices.GetRequiredService<BatchControl>();
            // BatchControl records the audit entry (batch.cancel / batch.rerun, actor, target, scope, chunk) in the
            // action's own transaction: an action and its record commit together or not at all.
            switch (action)
            {
                case BatchAction.Cancel:
                    await control.CancelAsync(batchId, actor, http.RequestAborted);
                    break;
                case BatchAction.Rerun:
                    await control.RerunAsync(batchId, scope, null, actor, http.RequestAborted);
                    break;
                default:
                    var chunkNo = (int)Math.Min(int.MaxValue, DashboardResponses.RouteId(context, "chunk"));
                    var batch = await queries.GetAsync(batchId, http.RequestAborted) ?? throw new BatchNotFoundException(batchId);
                    if (chunkNo >= ChunkTotal(batch))
                    {
                        throw DashboardProblemException.NotFound($"Batch {batchId} has no chunk {chunkNo}.");
                    }
                    await control.RerunAsync(batchId, scope, chunkNo, actor, http.RequestAborted);
                    break;
            }
            var after = await queries.GetAsync(batchId, http.RequestAborted);
            await http.Response.WriteAsJsonAsync(BatchLive.From(after!), DashboardResponses.Json, http.RequestAborted);
        }
        catch (DashboardProblemException problem)
        {
            await DashboardResponses.ProblemAsync(http, problem);
        }
        catch (BatchNotFoundException e)
        {
            await DashboardResponses.ProblemAsync(http, DashboardProblemException.NotFound(e.Message));
        }
        catch (BatchConflictException e)
        {
            await DashboardResponses.ProblemAsync(http, new DashboardProblemException(StatusCodes.Status409Conflict, "Conflict", e.Message));
        }
    }

    /// <summary>
    /// The rules every dashboard action shares: a POST (else 405), from a user who may operate (else 403), with the
    /// dashboard's antiforgery token. The two texts are the 405's and the 403's details.
    /// </summary>
    internal static async Task EnsureOperatorPostAsync(DashboardContext context, HttpContext http, string notPost, string notOperator)
    {
        if (!HttpMethods.IsPost(http.Request.Method))
        {
            throw new DashboardProblemException(StatusCodes.Status405MethodNotAllowed, "Method not allowed", notPost);
        }
        if (!BatchesDashboardAccess.CanOperate(context))
        {
            throw new DashboardProblemException(StatusCodes.Status403Forbidden, "Forbidden", notOperator);
        }
        await ValidateAntiforgeryAsync(context, http);
    }

    private static async Task ValidateAntiforgeryAsync(DashboardContext context, HttpContext http)
    {
        if (context.Options.IgnoreAntiforgeryToken)
        {
            return;
        }
        // Fail closed: without the antiforgery service no request could prove it came from the dashboard.
        var antiforgery = http.RequestServices.GetService<IAntiforgery>();
        if (antiforgery is null || !await antiforgery.IsRequestValidAsync(http))
        {
            throw new DashboardProblemException(StatusCodes.Status403Forbidden, "Forbidden", "The antiforgery token is missing or invalid: reload the page and try again.");
        }
    }

    private async Task<RerunScope> ReadScopeAsync(HttpContext http)
    {
        if (action == BatchAction.Cancel)
        {
            return RerunScope.Failed;
        }
        string? scope = null;
        if (http.Request.HasFormContentType)
        {
            scope = (await http.Request.ReadFormAsync(http.RequestAborted))["scope"].FirstOrDefault();
        }
        return (scope ?? "failed") switch
        {
            "failed" => RerunScope.Failed,
            "all" => RerunScope.All,
            _ => throw DashboardProblemException.BadField("scope", "scope must be 'failed' or 'all'."),
        };
    }

    private static long ChunkTotal(BatchView batch)
    {
        var c = batch.ChunkCounts;
        return c.Queued + c.Running + c.Succeeded + c.CompletedWithFailures + c.Failed + c.Cancelled;
    }
}
