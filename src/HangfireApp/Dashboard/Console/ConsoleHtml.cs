using System.Globalization;
using System.Net;
using System.Text;
using HangfireApp.Batches.JobOutput;

namespace HangfireApp.Dashboard.Console;

/// <summary>
/// The job console as HTML for the job details page: one block per section (attempt) with its progress bars and
/// lines. Everything a job wrote is HTML-encoded here; the page's script adds later lines as text nodes, never as
/// markup. Stable ids and classes (<c>#job-console</c>, <c>.console-section</c>, <c>.console-line</c>,
/// <c>.console-progress</c>) are the contract for the script and for browser tests.
/// </summary>
public static class ConsoleHtml
{
    public static string Render(long jobId, ConsoleSnapshot snapshot, string linesUrl, bool live, bool truncated)
    {
        var html = new StringBuilder(256 + (snapshot.Lines.Count * 96));
        var lastLineId = snapshot.Lines.Count > 0 ? snapshot.Lines[^1].Id : 0;
        html.Append(CultureInfo.InvariantCulture,
            $"""<div id="job-console" class="job-console" data-job-id="{jobId}" data-lines-url="{Encode(linesUrl)}" data-after="{lastLineId}" data-live="{(live ? "true" : "false")}">""");
        html.Append("""<h3 class="job-console-title">Console <small class="console-status">""")
            .Append(live ? "live" : "")
            .Append("</small></h3>");
        if (truncated)
        {
            html.Append("""<div class="console-truncated">Older lines are not shown: only the newest lines fit on the page.</div>""");
        }
        var linesBySection = snapshot.Lines.ToLookup(line => line.SectionId);
        var progressBySection = snapshot.Progress.ToLookup(bar => bar.SectionId);
        foreach (var section in snapshot.Sections)
        {
            html.Append(CultureInfo.InvariantCulture, $"""<div class="console-section" data-section-id="{section.Id}">""");
            html.Append("""<div class="console-section-title">""").Append(Encode(section.Title))
                .Append(""" <span class="console-time" title="started">""").Append(Timestamp(section.StartedAt)).Append(" UTC</span></div>");
            html.Append("""<div class="console-progresses">""");
            foreach (var bar in progressBySection[section.Id])
            {
                AppendProgress(html, bar.Name, bar.Value);
            }
            html.Append("""</div><div class="console-lines">""");
            foreach (var line in linesBySection[section.Id])
            {
                AppendLine(html, line);
            }
            html.Append("</div></div>");
        }
        html.Append("</div>");
        return html.ToString();
    }

    public static void AppendLine(StringBuilder html, ConsoleLineView line)
    {
        html.Append(CultureInfo.InvariantCulture, $"""<div class="console-line{(line.Color is null ? "" : " console-color-" + Encode(line.Color))}" data-id="{line.Id}">""")
            .Append("""<span class="console-time">""").Append(Timestamp(line.At)).Append("</span> ")
            .Append("""<span class="console-text">""").Append(Encode(line.Text)).Append("</span></div>");
    }

    public static void AppendProgress(StringBuilder html, string name, double value)
    {
        var percent = Math.Clamp(value, 0, 100).ToString("0.#", CultureInfo.InvariantCulture);
        html.Append("<div class=\"console-progress\" data-name=\"").Append(Encode(name)).Append("\">")
            .Append("""<span class="console-progress-name">""").Append(Encode(name)).Append("</span>")
            .Append("""<span class="console-progress-bar"><span class="console-progress-value" style="width:""").Append(percent).Append("%\"></span></span>")
            .Append("""<span class="console-progress-text">""").Append(percent).Append("%</span></div>");
    }

    public static string Timestamp(DateTime at) => at.ToUniversalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture);

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
