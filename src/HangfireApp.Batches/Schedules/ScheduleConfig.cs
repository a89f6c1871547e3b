using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Batches.Schedules;

/// <summary>
/// Applies the schedules of appsettings.json (<c>Schedules:&lt;id&gt;:Cron</c>, <c>TimeZone</c>, <c>Misfire</c>,
/// <c>WorkerType</c>, <c>Items</c> or <c>Query</c>, <c>Priority</c>, <c>ChunkSize</c>, <c>Description</c>) at start:
/// each is saved with its recurring job; config schedules no longer configured are removed. A bad one stops
/// the process with the validation errors.
/// </summary>
internal sealed class ScheduleConfig(IConfiguration configuration, ScheduleService schedules, Database.Migrator migrator, ILogger<ScheduleConfig> logger) : IHostedService
{
    public const string Section = "Schedules";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var definitions = Read(configuration.GetSection(Section));
        if ((await migrator.PendingAsync(cancellationToken)).Count > 0)
        {
            // Migrations are off and not applied: the host still starts (and reports not ready); so must we.
            logger.LogWarning("Schedules from configuration not applied: the database schema is not migrated");
            return;
        }
        try
        {
            await schedules.ApplyConfigAsync(definitions, cancellationToken);
        }
        catch (Submit.BatchRequestException e)
        {
            throw new InvalidOperationException(
                $"{Section}: {e.Message} {string.Join(" ", e.Errors.SelectMany(error => error.Value.Select(message => $"{error.Key}: {message}")))}", e);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static List<ScheduleDefinition> Read(IConfigurationSection section) =>
        [.. section.GetChildren().Select(child => new ScheduleDefinition(
            child.Key,
            child["Cron"] ?? "",
            child["TimeZone"] ?? "UTC",
            child["Misfire"] ?? MisfirePolicies.Relaxed,
            child["WorkerType"] ?? "",
            child.GetSection("Items").Exists() ? [.. child.GetSection("Items").GetChildren().Select(ToJson)] : null,
            child["Query"],
            child["Priority"] ?? "normal",
            int.TryParse(child["ChunkSize"], out var size) ? size : null,
            child["Description"],
            ScheduleSources.Config))];

    /// <summary>A configuration subtree as JSON: children named 0..n become an array, others an object, leaves strings.</summary>
    private static JsonElement ToJson(IConfigurationSection section) => JsonSerializer.SerializeToElement(ToNode(section));

    private static JsonNode? ToNode(IConfigurationSection section)
    {
        var children = section.GetChildren().ToList();
        if (children.Count == 0)
        {
            return section.Value is null ? null : JsonValue.Create(section.Value);
        }
        if (children.All(child => int.TryParse(child.Key, out _)))
        {
            return new JsonArray([.. children.OrderBy(child => int.Parse(child.Key, System.Globalization.CultureInfo.InvariantCulture)).Select(ToNode)]);
        }
        var node = new JsonObject();
        foreach (var child in children)
        {
            node[child.Key] = ToNode(child);
        }
        return node;
    }
}
