using System.Globalization;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Audit;

namespace HangfireApp.Dashboard.Audit;

/// <summary>
/// The dashboard's "Audit" page (admins): the audit log newest first, filtered by actor and action, paged.
/// Read-only. Hangfire renders pages synchronously, so the query is waited for here as its own pages do.
/// </summary>
internal sealed class AuditPage : RazorPage
{
    public const string Route = "/audit";
    public const int PageSize = 50;

    public override void Execute()
    {
        Layout = new LayoutPage("Audit");
        var http = Context.GetHttpContext();
        WriteLiteral("""<div class="row"><div class="col-md-12"><h1 class="page-header">Audit</h1>""");
        if (!DashboardAccess.IsAdmin(http))
        {
            http.Response.StatusCode = StatusCodes.Status403Forbidden;
            WriteLiteral("""<div class="alert alert-warning" id="audit-forbidden">Only admins can see the audit log.</div></div></div>""");
            return;
        }
        var actor = Blank(Query("actor"));
        var action = Blank(Query("action"));
        var page = int.TryParse(Query("page"), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p >= 1 ? p : 1;
        var log = http.RequestServices.GetRequiredService<AuditLog>();
        var entries = log.ListAsync(page, PageSize, actor, action, http.RequestAborted).GetAwaiter().GetResult();

        WriteLiteral($"""<form class="form-inline" method="get" action="{Url.To(Route)}" style="margin-bottom:12px">""");
        WriteLiteral($"<input class=\"form-control\" name=\"actor\" placeholder=\"actor\" value=\"{Attribute(actor)}\" /> ");
        WriteLiteral($"<input class=\"form-control\" name=\"action\" placeholder=\"action\" value=\"{Attribute(action)}\" /> ");
        WriteLiteral("<button class=\"btn btn-default\" type=\"submit\">Filter</button></form>");

        if (entries.Items.Count == 0)
        {
            WriteLiteral("""<div class="alert alert-info" id="audit-empty">No audit entries.</div></div></div>""");
            return;
        }
        WriteLiteral("""<div class="table-responsive"><table class="table table-hover" id="audit-log"><thead><tr><th>When (UTC)</th><th>Who</th><th>Action</th><th>Target</th><th>Details</th></tr></thead><tbody>""");
        foreach (var entry in entries.Items)
        {
            WriteLiteral("<tr><td>");
            Write(entry.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
            WriteLiteral("</td><td>");
            Write(entry.Actor);
            WriteLiteral("</td><td><code>");
            Write(entry.Action);
            WriteLiteral("</code></td><td>");
            Write(entry.Target ?? "");
            WriteLiteral("</td><td><small>");
            Write(entry.Details?.GetRawText() ?? "");
            WriteLiteral("</small></td></tr>");
        }
        WriteLiteral("</tbody></table></div>");
        var pages = (int)Math.Max(1, (entries.Total + PageSize - 1) / PageSize);
        WriteLiteral($"""<p>Page {page} of {pages} ({entries.Total} entries)""");
        if (page > 1)
        {
            WriteLiteral($""" · <a href="{PageLink(page - 1, actor, action)}">Newer</a>""");
        }
        if (page < pages)
        {
            WriteLiteral($""" · <a href="{PageLink(page + 1, actor, action)}">Older</a>""");
        }
        WriteLiteral("</p></div></div>");
    }

    private string PageLink(int page, string? actor, string? action)
    {
        var query = $"?page={page}";
        if (actor is not null)
        {
            query += "&actor=" + Uri.EscapeDataString(actor);
        }
        if (action is not null)
        {
            query += "&action=" + Uri.EscapeDataString(action);
        }
        return System.Net.WebUtility.HtmlEncode(Url.To(Route) + query);
    }

    private static string Attribute(string? value) => System.Net.WebUtility.HtmlEncode(value ?? "");

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
