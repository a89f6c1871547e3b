using System.Globalization;
using System.Net;
using System.Text;

namespace HangfireApp.Dashboard.Operations;

/// <summary>One line of a chart: a value per minute, oldest first.</summary>
internal sealed record ChartSeries(string Name, IReadOnlyList<double> Values, string Color, bool Dashed = false);

/// <summary>
/// A small line chart as inline SVG, rendered on the server: no script, no CDN, nothing to load. Hand-written because
/// a chart library would be the page's largest asset for two charts of a few lines each.
/// </summary>
internal static class ChartSvg
{
    public static readonly string[] Palette = ["#337ab7", "#5cb85c", "#f0ad4e", "#5bc0de", "#9b59b6", "#34495e", "#e67e22", "#16a085"];

    private const int Width = 560;
    private const int Height = 180;
    private const int Left = 48;
    private const int Right = 8;
    private const int Top = 10;
    private const int Bottom = 24;

    public static string Render(string id, string title, string unit, IReadOnlyList<ChartSeries> series, int minutes)
    {
        var max = series.SelectMany(s => s.Values).DefaultIfEmpty(0).Max();
        var scale = max <= 0 ? 1 : NiceCeiling(max); // an empty chart still gets a readable 0..1 axis
        var plotWidth = Width - Left - Right;
        var plotHeight = Height - Top - Bottom;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<figure class=\"ops-chart\" id=\"{id}\"><figcaption>{Encode(title)}</figcaption>");
        svg.Append(CultureInfo.InvariantCulture, $"<svg viewBox=\"0 0 {Width} {Height}\" width=\"{Width}\" height=\"{Height}\" role=\"img\" aria-label=\"{Encode(title)}\">");
        for (var i = 0; i <= 4; i++)
        {
            var y = Top + plotHeight - plotHeight * i / 4.0;
            svg.Append(CultureInfo.InvariantCulture, $"<line class=\"ops-grid\" x1=\"{Left}\" x2=\"{Width - Right}\" y1=\"{y:0.#}\" y2=\"{y:0.#}\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text class=\"ops-axis\" x=\"{Left - 4}\" y=\"{y + 4:0.#}\" text-anchor=\"end\">{Label(scale * i / 4)}</text>");
        }
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"ops-axis\" x=\"{Left}\" y=\"{Height - 6}\">−{minutes} min</text>");
        svg.Append(CultureInfo.InvariantCulture, $"<text class=\"ops-axis\" x=\"{Width - Right}\" y=\"{Height - 6}\" text-anchor=\"end\">now ({Encode(unit)})</text>");
        foreach (var line in series)
        {
            var points = string.Join(" ", line.Values.Select((value, index) =>
            {
                var x = Left + (line.Values.Count == 1 ? plotWidth : plotWidth * index / (double)(line.Values.Count - 1));
                var y = Top + plotHeight - plotHeight * value / scale;
                return string.Create(CultureInfo.InvariantCulture, $"{x:0.#},{y:0.#}");
            }));
            svg.Append(CultureInfo.InvariantCulture,
                $"<polyline class=\"ops-line\" data-series=\"{Encode(line.Name)}\" data-last=\"{(line.Values.Count == 0 ? 0 : line.Values[^1]).ToString("0.###", CultureInfo.InvariantCulture)}\" fill=\"none\" stroke=\"{line.Color}\" stroke-width=\"1.5\"{(line.Dashed ? " stroke-dasharray=\"4 3\"" : "")} points=\"{points}\"><title>{Encode(line.Name)}</title></polyline>");
        }
        svg.Append("</svg><div class=\"ops-legend\">");
        if (series.Count == 0)
        {
            svg.Append("<span class=\"text-muted ops-chart-empty\">no data in this window yet</span>");
        }
        foreach (var line in series)
        {
            svg.Append(CultureInfo.InvariantCulture,
                $"<span class=\"ops-legend-item\"><span class=\"ops-swatch\" style=\"border-color:{line.Color};{(line.Dashed ? "border-top-style:dashed;" : "")}\"></span>{Encode(line.Name)}</span>");
        }
        svg.Append("</div></figure>");
        return svg.ToString();
    }

    private static double NiceCeiling(double max)
    {
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(max)));
        foreach (var step in new[] { 1, 2, 2.5, 5, 10 })
        {
            if (step * magnitude >= max)
            {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static string Label(double value) => value switch
    {
        >= 1_000_000 => (value / 1_000_000).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (value / 1_000).ToString("0.#", CultureInfo.InvariantCulture) + "k",
        _ => value.ToString("0.##", CultureInfo.InvariantCulture),
    };

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
