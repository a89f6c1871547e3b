using HangfireApp.Batches.Metrics;

namespace HangfireApp.Dashboard.Operations;

/// <summary>The three charts of the Worker types page, rendered from the minute rollups of the last hour.</summary>
internal sealed record OperationsChartsModel(string Throughput, string Failures, string QueueDepth);

internal static class OperationsCharts
{
    public static readonly TimeSpan Window = TimeSpan.FromHours(1);

    public static async Task<OperationsChartsModel> BuildAsync(ChartQueries queries, DateTime now, CancellationToken cancellationToken)
    {
        var minutes = (int)Window.TotalMinutes;
        var first = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc).AddMinutes(-minutes + 1);
        var throughput = await queries.ThroughputAsync(Window, cancellationToken);
        var depths = await queries.QueueDepthAsync(Window, cancellationToken);

        var types = throughput.Select(row => row.WorkerType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var itemsPerSecond = new List<ChartSeries>();
        var failures = new List<ChartSeries>();
        for (var i = 0; i < types.Count; i++)
        {
            var rows = throughput.Where(row => row.WorkerType == types[i]).ToList();
            var color = ChartSvg.Palette[i % ChartSvg.Palette.Length];
            itemsPerSecond.Add(new ChartSeries(types[i], PerMinute(rows, first, minutes, r => r.Minute, r => (r.Succeeded + r.Failed + r.Cancelled) / 60.0), color));
            failures.Add(new ChartSeries($"{types[i]} failed", PerMinute(rows, first, minutes, r => r.Minute, r => r.Failed / 60.0), color));
            failures.Add(new ChartSeries($"{types[i]} retried", PerMinute(rows, first, minutes, r => r.Minute, r => r.Retried / 60.0), color, Dashed: true));
        }
        // Queues that held jobs at some point of the window; empty ones would only draw lines along the axis.
        var queues = depths.Where(row => row.Depth > 0).Select(row => row.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var depthSeries = queues.Select((queue, i) => new ChartSeries(queue,
            PerMinute(depths.Where(row => row.Queue == queue).ToList(), first, minutes, r => r.Minute, r => r.Depth),
            ChartSvg.Palette[i % ChartSvg.Palette.Length])).ToList();

        return new OperationsChartsModel(
            ChartSvg.Render("chart-throughput", "Items per second by worker type (ended: succeeded, failed, cancelled)", "items/s", itemsPerSecond, minutes),
            ChartSvg.Render("chart-failures", "Failures per second: failed for good (solid), failed and retried (dashed)", "items/s", failures, minutes),
            ChartSvg.Render("chart-queue-depth", "Queue depth (jobs waiting), cluster-wide", "jobs", depthSeries, minutes));
    }

    private static double[] PerMinute<T>(IReadOnlyList<T> rows, DateTime first, int minutes, Func<T, DateTime> minuteOf, Func<T, double> value)
    {
        var values = new double[minutes];
        foreach (var row in rows)
        {
            var index = (int)Math.Round((minuteOf(row).ToUniversalTime() - first).TotalMinutes);
            if (index >= 0 && index < minutes)
            {
                values[index] += value(row);
            }
        }
        return values;
    }
}
