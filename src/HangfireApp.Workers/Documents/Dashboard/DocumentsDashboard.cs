using System.Globalization;
using Hangfire.Dashboard;
using Hangfire.Dashboard.Pages;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Documents.Intake;
using HangfireApp.Workers.Documents.Storage;
using HangfireApp.Workers.Documents.Validation;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HangfireApp.Workers.Documents.Dashboard;

/// <summary>
/// The "Documents" page of the Hangfire dashboard: the list with status, pages, confidence and reasons (filter by
/// status, e.g. the <c>needs_review</c> queue), a document's details with each page's text and the entities, and the
/// rerun of its failed pages. Hangfire's routes and menu are process-wide lists: registered once per process.
/// </summary>
public static class DocumentsDashboard
{
    private const int PageSize = 50;
    private static readonly Lock Registration = new();
    private static bool _registered;

    public static void Add(IServiceProvider services)
    {
        lock (Registration)
        {
            if (_registered)
            {
                return;
            }
            DashboardRoutes.Routes.Add("/documents", new PageDispatcher<DocumentListModel>(LoadListAsync, () => new DocumentListPage()));
            DashboardRoutes.Routes.Add(@"/documents/(?<id>\d+)", new PageDispatcher<DocumentDetailsModel>(LoadDetailsAsync, () => new DocumentDetailsPage()));
            DashboardRoutes.Routes.Add(@"/documents/(?<id>\d+)/rerun", new RerunDispatcher());
            NavigationMenu.Items.Add(static page => new MenuItem("Documents", page.Url.To("/documents"))
            {
                Active = page.RequestPath.StartsWith("/documents", StringComparison.OrdinalIgnoreCase),
            });
            _registered = true;
        }
    }

    private static async Task<DocumentListModel?> LoadListAsync(DashboardContext context, HttpContext http)
    {
        var status = http.Request.Query["status"].ToString() is { Length: > 0 } s
            && s is DocumentStatuses.Processing or DocumentStatuses.Valid or DocumentStatuses.NeedsReview or DocumentStatuses.Failed ? s : null;
        var page = int.TryParse(http.Request.Query["page"], NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 1_000_000 ? p : 1;
        var store = http.RequestServices.GetRequiredService<DocumentStore>();
        var rows = await store.ListAsync(status, null, (page - 1) * PageSize, PageSize, http.RequestAborted);
        var total = await store.CountAsync(status, http.RequestAborted);
        return new DocumentListModel(status, page, PageSize, total, rows);
    }

    private static async Task<DocumentDetailsModel?> LoadDetailsAsync(DashboardContext context, HttpContext http)
    {
        var id = long.Parse(context.UriMatch.Groups["id"].Value, CultureInfo.InvariantCulture);
        var store = http.RequestServices.GetRequiredService<DocumentStore>();
        var document = await store.FindAsync(id, http.RequestAborted);
        if (document is null)
        {
            return null;
        }
        return new DocumentDetailsModel(document, await store.PagesAsync(id, http.RequestAborted), await store.EntitiesAsync(id, http.RequestAborted),
            CanOperate(context), http.Request.Query["rerun"].ToString());
    }

    /// <summary>Operators and admins act; viewers (and a read-only dashboard) only look.</summary>
    internal static bool CanOperate(DashboardContext context)
    {
        var user = context.GetHttpContext().User;
        return !context.Options.IsReadOnlyFunc(context) && (user.IsInRole("operator") || user.IsInRole("admin"));
    }

    /// <summary>Loads the model (null: 404), then renders the page in Hangfire's layout.</summary>
    private sealed class PageDispatcher<TModel> : IDashboardDispatcher
        where TModel : class
    {
        private readonly Func<DashboardContext, HttpContext, Task<TModel?>> _load;
        private readonly IDashboardDispatcher _render;

        public PageDispatcher(Func<DashboardContext, HttpContext, Task<TModel?>> load, Func<RazorPage> page)
        {
            _load = load;
            // Hangfire's RazorPageDispatcher is internal; a private route collection hands one out.
            var routes = new RouteCollection();
            routes.AddRazorPage("/", _ => page());
            _render = routes.FindDispatcher("/").Item1;
        }

        public async Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var model = await _load(context, http);
            if (model is null)
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                await http.Response.WriteAsync("No such document.");
                return;
            }
            http.Items[typeof(TModel)] = model;
            await _render.Dispatch(context);
        }
    }

    /// <summary>POST from the details page: reruns the document's failed pages, then shows the document again.</summary>
    private sealed class RerunDispatcher : IDashboardDispatcher
    {
        public async Task Dispatch(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var id = long.Parse(context.UriMatch.Groups["id"].Value, CultureInfo.InvariantCulture);
            if (!HttpMethods.IsPost(http.Request.Method))
            {
                http.Response.StatusCode = StatusCodes.Status405MethodNotAllowed;
                return;
            }
            if (!CanOperate(context))
            {
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                await http.Response.WriteAsync("Rerunning pages needs an operator.");
                return;
            }
            if (http.RequestServices.GetService<IAntiforgery>() is { } antiforgery && !await antiforgery.IsRequestValidAsync(http))
            {
                http.Response.StatusCode = StatusCodes.Status400BadRequest;
                await http.Response.WriteAsync("The form's antiforgery token is missing or invalid.");
                return;
            }
            string message;
            try
            {
                var result = await http.RequestServices.GetRequiredService<DocumentRerun>().RunAsync(id, http.RequestAborted);
                if (result is null)
                {
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
                    return;
                }
                var audit = http.RequestServices.GetRequiredService<Batches.Audit.AuditLog>();
                await audit.RecordAsync(http.User.Identity?.Name ?? "unknown", DocumentsModule.RerunAction, $"documents:{id}", null, http.RequestAborted);
                message = $"Rerunning page(s) {string.Join(", ", result.Pages)} in batch {result.BatchId}.";
            }
            catch (BatchConflictException e)
            {
                message = e.Message;
            }
            http.Response.Redirect(context.Options.PrefixPath + context.Request.PathBase + $"/documents/{id}?rerun={Uri.EscapeDataString(message)}");
        }
    }
}

internal sealed record DocumentListModel(string? Status, int Page, int PageSize, long Total, IReadOnlyList<DocumentRow> Documents);

internal sealed record DocumentDetailsModel(DocumentRow Document, IReadOnlyList<PageRow> Pages, IReadOnlyList<Nlp.Entity> Entities, bool CanOperate, string RerunMessage);

internal abstract class DocumentPage<TModel> : RazorPage
    where TModel : class
{
    protected TModel Model => (TModel)Context.GetHttpContext().Items[typeof(TModel)]!;

    protected void WriteStatus(string status)
    {
        var css = status switch
        {
            DocumentStatuses.Valid => "label-success",
            DocumentStatuses.NeedsReview => "label-warning",
            DocumentStatuses.Failed => "label-danger",
            _ => "label-info",
        };
        WriteLiteral($"<span class=\"label {css} document-status\" data-status=\"");
        Write(status);
        WriteLiteral("\">");
        Write(status);
        WriteLiteral("</span>");
    }

    protected static string Number(double? value) => value is { } v ? v.ToString("0.#", CultureInfo.InvariantCulture) : "–";
}

/// <summary><c>/documents</c>: ids <c>#documents-table</c>, rows <c>tr.document-row[data-id]</c>, filter links <c>.document-filter</c>.</summary>
internal sealed class DocumentListPage : DocumentPage<DocumentListModel>
{
    public override void Execute()
    {
        Layout = new LayoutPage("Documents");
        var model = Model;
        WriteLiteral("<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Documents</h1><div class=\"btn-group\" style=\"margin-bottom:12px\">");
        foreach (var (label, status) in new (string, string?)[] { ("All", null), ("Needs review", DocumentStatuses.NeedsReview), ("Failed", DocumentStatuses.Failed),
            ("Valid", DocumentStatuses.Valid), ("Processing", DocumentStatuses.Processing) })
        {
            var url = Url.To("/documents") + (status is null ? "" : "?status=" + status);
            WriteLiteral($"<a class=\"btn btn-sm btn-default document-filter{(model.Status == status ? " active" : "")}\" href=\"{url}\">");
            Write(label);
            WriteLiteral("</a>");
        }
        WriteLiteral("</div>");
        if (model.Documents.Count == 0)
        {
            WriteLiteral("<div id=\"documents-empty\" class=\"alert alert-info\">No documents.</div>");
        }
        else
        {
            WriteLiteral("<div class=\"table-responsive\"><table id=\"documents-table\" class=\"table\"><thead><tr><th>Id</th><th>File</th><th>Status</th>");
            WriteLiteral("<th>Pages</th><th>Confidence</th><th>Reasons</th><th>Batch</th><th>Created</th></tr></thead><tbody>");
            foreach (var document in model.Documents)
            {
                WriteLiteral($"<tr class=\"document-row\" data-id=\"{document.Id}\"><td><a href=\"{Url.To($"/documents/{document.Id}")}\">{document.Id}</a></td><td>");
                Write(document.FileName);
                WriteLiteral("</td><td>");
                WriteStatus(document.Status);
                WriteLiteral($"</td><td>{document.PageCount}</td><td>{Number(document.MeanConfidence)}</td><td class=\"document-reasons\">");
                Write(string.Join(" · ", document.Reasons));
                WriteLiteral("</td><td>");
                if (document.BatchId is { } batch)
                {
                    WriteLiteral($"<a href=\"{Url.To($"/batches/{batch}")}\">{batch}</a>");
                }
                WriteLiteral("</td><td>");
                Write(document.CreatedAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
                WriteLiteral("</td></tr>");
            }
            WriteLiteral("</tbody></table></div>");
        }
        var pages = (int)Math.Ceiling(model.Total / (double)model.PageSize);
        if (pages > 1)
        {
            WriteLiteral("<ul class=\"pagination\">");
            for (var n = 1; n <= Math.Min(pages, 20); n++)
            {
                var url = Url.To("/documents") + $"?page={n}" + (model.Status is null ? "" : "&status=" + model.Status);
                WriteLiteral($"<li class=\"{(n == model.Page ? "active" : "")}\"><a href=\"{url}\">{n}</a></li>");
            }
            WriteLiteral("</ul>");
        }
        WriteLiteral("</div></div>");
    }
}

/// <summary><c>/documents/{id}</c>: pages with their text (<c>.document-page[data-page]</c>), entities (<c>#document-entities</c>), rerun form.</summary>
internal sealed class DocumentDetailsPage : DocumentPage<DocumentDetailsModel>
{
    public override void Execute()
    {
        var model = Model;
        var document = model.Document;
        Layout = new LayoutPage($"Document {document.Id}");
        WriteLiteral($"<div class=\"row\"><div class=\"col-md-12\"><h1 class=\"page-header\">Document {document.Id}: ");
        Write(document.FileName);
        WriteLiteral(" ");
        WriteStatus(document.Status);
        WriteLiteral("</h1>");
        if (model.RerunMessage.Length > 0)
        {
            WriteLiteral("<div id=\"document-rerun-message\" class=\"alert alert-info\">");
            Write(model.RerunMessage);
            WriteLiteral("</div>");
        }
        WriteLiteral("<dl class=\"dl-horizontal\"><dt>Profile</dt><dd>");
        Write(document.Profile);
        WriteLiteral("</dd><dt>Language</dt><dd>");
        Write(document.Language ?? "–");
        WriteLiteral($"</dd><dt>Mean confidence</dt><dd>{Number(document.MeanConfidence)}</dd><dt>Reasons</dt><dd id=\"document-reasons\">");
        Write(document.Reasons.Count == 0 ? "–" : string.Join(" · ", document.Reasons));
        WriteLiteral("</dd><dt>Outputs</dt><dd>");
        WriteLiteral($"API: <code>/api/documents/{document.Id}/text</code>, <code>/api/documents/{document.Id}/hocr</code>, <code>/api/documents/{document.Id}/searchable.pdf</code></dd></dl>");
        if (model.CanOperate && model.Pages.Any(page => page.State == "failed" || page.TimedOut) && document.Status != DocumentStatuses.Processing)
        {
            WriteLiteral($"<form id=\"document-rerun\" method=\"post\" action=\"{Url.To($"/documents/{document.Id}/rerun")}\">");
            if (Context.GetHttpContext().RequestServices.GetService<IAntiforgery>() is { } antiforgery)
            {
                var tokens = antiforgery.GetAndStoreTokens(Context.GetHttpContext());
                WriteLiteral($"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"");
                Write(tokens.RequestToken ?? "");
                WriteLiteral("\"/>");
            }
            WriteLiteral("<button type=\"submit\" class=\"btn btn-primary btn-sm\">Rerun failed pages</button></form>");
        }
        WriteLiteral("<h3>Entities</h3><table id=\"document-entities\" class=\"table table-condensed\"><thead><tr><th>Type</th><th>Value</th><th>Page</th><th>Valid</th><th>Text</th></tr></thead><tbody>");
        foreach (var entity in model.Entities)
        {
            WriteLiteral("<tr class=\"document-entity\"><td>");
            Write(entity.Key is null ? entity.Type : $"{entity.Type} ({entity.Key})");
            WriteLiteral("</td><td>");
            Write(entity.Value);
            WriteLiteral($"</td><td>{entity.Page}</td><td>{(entity.Valid is null ? "" : entity.Valid.Value ? "✔" : "✘")}</td><td>");
            Write(entity.Text);
            WriteLiteral("</td></tr>");
        }
        WriteLiteral("</tbody></table><h3>Pages</h3>");
        foreach (var page in model.Pages)
        {
            WriteLiteral($"<div class=\"panel panel-default document-page\" data-page=\"{page.PageNo}\"><div class=\"panel-heading\">Page {page.PageNo} · ");
            Write($"{page.Source} · {page.State} · confidence {Number(page.Confidence)}{(page.TimedOut ? " · deadline hit" : "")}{(page.Skew is { } skew && skew != 0 ? $" · deskewed {skew:0.##}°" : "")}");
            if (page.Error is not null || page.Note is not null)
            {
                WriteLiteral(" · <span class=\"text-danger\">");
                Write(page.Error ?? page.Note!);
                WriteLiteral("</span>");
            }
            WriteLiteral("</div><pre class=\"panel-body document-page-text\" style=\"white-space:pre-wrap;max-height:400px;overflow:auto\">");
            Write(page.Text ?? "");
            WriteLiteral("</pre></div>");
        }
        WriteLiteral("</div></div>");
    }
}
