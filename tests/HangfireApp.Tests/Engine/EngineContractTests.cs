using System.Reflection;
using System.Text.RegularExpressions;
using Hangfire;
using Hangfire.PostgreSql;
using HangfireApp.Batches;
using HangfireApp.Batches.Chunks;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.Logging;
using HangfireApp.Batches.Queues;
using HangfireApp.Batches.Storage;
using HangfireApp.Tests.Infrastructure;
using HangfireApp.Workers;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HangfireApp.Tests.Engine;

/// <summary>Rules of the code base that no single feature test would notice being broken.</summary>
public sealed partial class EngineContractTests
{
    private static readonly Assembly[] AppAssemblies = [typeof(Program).Assembly, typeof(LogEventIds).Assembly, typeof(WorkerLogEventIds).Assembly];

    [Fact]
    public void EveryLoggerMessage_TakesItsIdFromARegistry_AndNoIdIsUsedTwice()
    {
        var registry = new[] { typeof(LogEventIds), typeof(WorkerLogEventIds) }
            .SelectMany(type => type.GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(field => field.IsLiteral)
            .ToDictionary(field => $"{field.DeclaringType!.Name}.{field.Name}", field => (int)field.GetRawConstantValue()!);
        var used = AppAssemblies.SelectMany(assembly => assembly.GetTypes())
            .SelectMany(type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(method => (Method: $"{method.DeclaringType!.FullName}.{method.Name}", Attribute: method.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(entry => entry.Attribute is not null)
            .ToList();

        used.Count.ShouldBeGreaterThan(30);
        registry.Values.Distinct().Count().ShouldBe(registry.Count, "an id appears twice in the registries");
        used.GroupBy(entry => entry.Attribute!.EventId).Where(group => group.Count() > 1)
            .Select(group => $"{group.Key}: {string.Join(", ", group.Select(entry => entry.Method))}").ShouldBeEmpty();
        used.Where(entry => !registry.ContainsValue(entry.Attribute!.EventId))
            .Select(entry => $"{entry.Method} uses {entry.Attribute!.EventId}, which no registry declares").ShouldBeEmpty();
    }

    [Fact]
    public async Task TheEngine_RegistersItsHangfireFiltersAndStorageSettings_WithoutAnyHostCode()
    {
        await using var database = await TestDatabase.CreateAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = database.ConnectionString,
            // Settings of before, which a configuration may still carry: the engine no longer reads them.
            ["Hangfire:Storage:EnableLongPolling"] = "false",
            ["Hangfire:Storage:UseSlidingInvisibilityTimeout"] = "false",
            ["Hangfire:Storage:InvisibilityTimeout"] = "00:07:00",
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging();
        services.AddAppDatabase(configuration);
        services.AddBatchEngine();
        await using var provider = services.BuildServiceProvider();

        var storage = provider.GetRequiredService<PostgreSqlStorageOptions>();
        var jobStorage = provider.GetRequiredService<JobStorage>().ShouldBeOfType<PostgreSqlStorage>();
        // Every queue, named in the configuration or not, fetches and enqueues through the process's one listener.
        foreach (var queue in new[] { QueueNames.Default, QueueNames.Maintenance, "any-queue-at-all" })
        {
            jobStorage.QueueProviders.GetProvider(queue).GetType().DeclaringType.ShouldBe(typeof(JobQueueWakeups), queue);
        }

        storage.EnableLongPolling.ShouldBeTrue();
        storage.UseSlidingInvisibilityTimeout.ShouldBeTrue();
        storage.InvisibilityTimeout.ShouldBe(TimeSpan.FromMinutes(7));
        var filters = GlobalJobFilters.Filters.Select(filter => filter.Instance.GetType()).ToList();
        filters.ShouldContain(typeof(ChunkRetryFilter));
        filters.ShouldContain(typeof(JobLogScopeFilter));
        filters.ShouldContain(typeof(QueuePreservingFilter));
        filters.ShouldNotContain(typeof(CaptureCultureAttribute), "invariant globalization: a captured culture would carry nothing");
        filters.ShouldNotContain(typeof(ContinuationsSupportAttribute), "Hangfire continuations are not used: the filter would read a job parameter as every job ends");
    }

    [Fact]
    public void ChunkStateAndLeaseEpoch_AreWrittenOnlyByTheChunkStore()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "HangfireApp.sln")))
        {
            root = root.Parent;
        }
        root.ShouldNotBeNull("the repository root (HangfireApp.sln) above the test binaries");
        var owner = Path.Combine("src", "HangfireApp.Batches", "Chunks", "ChunkStore.cs");

        var writers = Directory.GetFiles(Path.Combine(root.FullName, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(path => ChunkWrite().IsMatch(File.ReadAllText(path)))
            .Select(path => Path.GetRelativePath(root.FullName, path))
            .ToList();

        writers.ShouldBe([owner]);
    }

    /// <summary>A statement that creates chunk rows or sets their state or epoch (setting their job id is not one).</summary>
    [GeneratedRegex(@"insert\s+into\s+app\.chunks|update\s+app\.chunks\b[^;]*?\bset\b[^;]*?\b(state|lease_epoch)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex ChunkWrite();
}
