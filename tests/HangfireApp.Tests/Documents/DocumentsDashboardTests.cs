using System.Net;
using HangfireApp.Tests.Dashboard;

namespace HangfireApp.Tests.Documents;

/// <summary>The dashboard's Documents page: list with the needs_review filter, details, rerun for operators only.</summary>
[Collection(DashboardTests.Name)]
public sealed class DocumentsDashboardTests(DashboardFixture fixture)
{
    [Fact]
    public async Task DocumentsPage_ListsReviewDocuments_AndOnlyOperatorsRerunFailedPages()
    {
        // Stored through the API; this host runs no document stage, so the test sets the outcome itself.
        using var form = new MultipartFormDataContent { { new ByteArrayContent(DocumentsFixture.Tiff("Page one", "Page two")), "file", "review-me.tif" } };
        using var submitted = await fixture.Api.PostAsync(new Uri("/api/documents", UriKind.Relative), form);
        var body = System.Text.Json.JsonDocument.Parse(await submitted.Content.ReadAsStringAsync()).RootElement;
        submitted.StatusCode.ShouldBe(HttpStatusCode.Accepted, body.ToString());
        var id = body.GetProperty("documents")[0].GetProperty("id").GetInt64();
        await using (var command = fixture.Db.CreateCommand("""
            insert into app.document_pages (document_id, page_no, source, state, text, confidence)
            values (@id, 1, 'image', 'done', 'Page one', 91), (@id, 2, 'image', 'failed', null, null);
            update app.document_pages set error = 'simulated OCR failure' where document_id = @id and page_no = 2;
            update app.documents set status = 'needs_review', pages_done = 2, reasons = '["Page 2 could not be read: simulated OCR failure"]' where id = @id;
            """))
        {
            command.Parameters.AddWithValue("id", id);
            await command.ExecuteNonQueryAsync();
        }

        using var viewer = await fixture.SignInAsync(DashboardFixture.Viewer);
        var list = await DashboardFixture.GetPageAsync(viewer, "/hangfire/documents?status=needs_review");
        list.Html.ShouldContain($"<tr class=\"document-row\" data-id=\"{id}\">");
        list.Html.ShouldContain("review-me.tif");
        list.Html.ShouldContain("simulated OCR failure");
        var viewerDetails = await DashboardFixture.GetPageAsync(viewer, $"/hangfire/documents/{id}");
        viewerDetails.Html.ShouldContain("Page one");
        viewerDetails.Html.ShouldNotContain("id=\"document-rerun\"");
        using (var refused = await DashboardFixture.PostActionAsync(viewer, $"/hangfire/documents/{id}/rerun", viewerDetails))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }

        using var operatorBrowser = await fixture.SignInAsync();
        var details = await DashboardFixture.GetPageAsync(operatorBrowser, $"/hangfire/documents/{id}");
        details.Html.ShouldContain("id=\"document-rerun\"");
        using var rerun = await DashboardFixture.PostActionAsync(operatorBrowser, $"/hangfire/documents/{id}/rerun", details);
        rerun.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        rerun.Headers.Location!.ToString().ShouldContain($"/hangfire/documents/{id}?rerun=");
        var after = await DashboardFixture.GetPageAsync(operatorBrowser, rerun.Headers.Location!.ToString());
        after.Html.ShouldContain("Rerunning page(s) 2 in batch");
        after.Html.ShouldContain("data-status=\"processing\"");
    }
}
