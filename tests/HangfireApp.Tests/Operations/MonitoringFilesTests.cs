using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace HangfireApp.Tests.Operations;

/// <summary>
/// ops/monitoring/ is checked, not just shipped: the alert rules are valid YAML in Prometheus' rule-file shape, the
/// Grafana dashboard valid JSON in its shape, and every metric either names is one this host's /metrics exports.
/// </summary>
[Collection(OperationsTests.Name)]
public sealed partial class MonitoringFilesTests(OperationsFixture host)
{
    [Fact]
    public async Task AlertRules_AreValid_AndNameOnlyExportedMetrics()
    {
        var yaml = new YamlStream();
        using (var reader = new StreamReader(Path.Combine(MonitoringFolder(), "alerts.yml")))
        {
            yaml.Load(reader);
        }
        var root = (YamlMappingNode)yaml.Documents.Single().RootNode;
        var rules = ((YamlSequenceNode)root["groups"]).Cast<YamlMappingNode>()
            .SelectMany(group =>
            {
                ((YamlScalarNode)group["name"]).Value.ShouldNotBeNullOrWhiteSpace();
                return ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>();
            })
            .ToList();
        rules.Count.ShouldBeGreaterThanOrEqualTo(4);
        var exprs = new List<string>();
        foreach (var rule in rules)
        {
            var name = ((YamlScalarNode)rule["alert"]).Value!;
            name.ShouldMatch("^[A-Za-z_][A-Za-z0-9_]*$");
            ((YamlScalarNode)((YamlMappingNode)rule["labels"])["severity"]).Value.ShouldBeOneOf("critical", "warning", "info");
            ((YamlScalarNode)((YamlMappingNode)rule["annotations"])["summary"]).Value.ShouldNotBeNullOrWhiteSpace();
            var expr = ((YamlScalarNode)rule["expr"]).Value!;
            Balanced(expr).ShouldBeTrue($"{name}: unbalanced brackets in {expr}");
            exprs.Add(expr);
        }
        foreach (var metric in new[] { "hangfireapp_queue_oldest_age_seconds", "hangfireapp_items_total", "hangfireapp_queue_servers", "hangfireapp_chunks_rescued_total" })
        {
            exprs.ShouldContain(expr => expr.Contains(metric, StringComparison.Ordinal), $"an alert on {metric}");
        }
        await ShouldAllBeExportedAsync(exprs);
    }

    [Fact]
    public async Task GrafanaDashboard_IsValid_AndNamesOnlyExportedMetrics()
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(MonitoringFolder(), "grafana-dashboard.json")));
        var root = document.RootElement;
        root.GetProperty("title").GetString().ShouldNotBeNullOrWhiteSpace();
        root.GetProperty("uid").GetString().ShouldNotBeNullOrWhiteSpace();
        var exprs = new List<string>();
        var ids = new HashSet<int>();
        foreach (var panel in root.GetProperty("panels").EnumerateArray())
        {
            ids.Add(panel.GetProperty("id").GetInt32()).ShouldBeTrue("panel ids are unique");
            panel.GetProperty("gridPos").GetProperty("w").GetInt32().ShouldBeInRange(1, 24);
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!;
                Balanced(expr).ShouldBeTrue($"unbalanced brackets in {expr}");
                exprs.Add(expr);
            }
        }
        exprs.Count.ShouldBeGreaterThanOrEqualTo(10);
        await ShouldAllBeExportedAsync(exprs);
    }

    private async Task ShouldAllBeExportedAsync(IEnumerable<string> exprs)
    {
        using var anonymous = host.App.CreateClient();
        await anonymous.GetAsync(new Uri("/health/live", UriKind.Relative)); // so the request metrics have a series
        var text = await MetricsTests.ScrapeAsync(anonymous);
        var exported = TypeLine().Matches(text).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
        var named = exprs.SelectMany(expr => MetricName().Matches(expr).Select(m => m.Value)).Distinct().ToList();
        named.ShouldNotBeEmpty();
        foreach (var name in named)
        {
            var family = HistogramSuffix().Replace(name, "");
            (exported.Contains(name) || exported.Contains(family)).ShouldBeTrue($"{name} is not exported by /metrics");
        }
    }

    private static bool Balanced(string expr)
    {
        var depth = 0;
        foreach (var c in expr)
        {
            depth += c is '(' or '{' or '[' ? 1 : c is ')' or '}' or ']' ? -1 : 0;
            if (depth < 0)
            {
                return false;
            }
        }
        return depth == 0;
    }

    private static string MonitoringFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "ops", "monitoring");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException("ops/monitoring not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex("^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) ", RegexOptions.Multiline)]
    private static partial Regex TypeLine();

    /// <summary>Metric names in PromQL: the families this app and prometheus-net export.</summary>
    [GeneratedRegex(@"\b(hangfireapp|http|process|dotnet)_[a-z0-9_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex("_(bucket|count|sum)$")]
    private static partial Regex HistogramSuffix();
}
