using System.Text.RegularExpressions;
using HangfireApp.Batches.Queues;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.WorkerTypes;

/// <summary>One <c>AddWorkerType</c> call.</summary>
public sealed record WorkerTypeRegistration(string Name, Type HandlerType, bool EnabledByDefault, Type? FinalHandlerType = null);

/// <summary>A registered, enabled worker type with its settings and its optional <c>IBatchFinalHandler</c>.</summary>
public sealed record WorkerType(string Name, Type HandlerType, string Queue, WorkerTypeOptions Options, Type? FinalHandlerType);

/// <summary>The worker types of this process; only enabled ones accept batches and get queues.</summary>
public sealed partial class WorkerTypeRegistry : IQueueCatalog
{
    private readonly Dictionary<string, WorkerType> _enabled;

    public WorkerTypeRegistry(IEnumerable<WorkerTypeRegistration> registrations, IOptionsMonitor<WorkerTypeOptions> options)
    {
        _enabled = new Dictionary<string, WorkerType>(StringComparer.Ordinal);
        var registered = new List<string>();
        foreach (var registration in registrations)
        {
            registered.Add(registration.Name);
            var settings = options.Get(registration.Name);
            if (settings.Enabled ?? registration.EnabledByDefault)
            {
                _enabled[registration.Name] = new WorkerType(registration.Name, registration.HandlerType, settings.Queue ?? registration.Name, settings, registration.FinalHandlerType);
            }
        }
        Registered = registered;
        WorkerQueues = [.. _enabled.Values.Select(type => type.Queue).Distinct().Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> WorkerQueues { get; }

    public IReadOnlyCollection<WorkerType> Enabled => _enabled.Values;

    /// <summary>Every registered worker type, enabled or not.</summary>
    public IReadOnlyList<string> Registered { get; }

    public bool IsRegistered(string name) => Registered.Contains(name, StringComparer.Ordinal);

    public bool TryGet(string name, out WorkerType workerType) => _enabled.TryGetValue(name, out workerType!);

    public WorkerType Get(string name) =>
        _enabled.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Worker type '{name}' is not enabled in this process.");

    /// <summary>The one wording of "this worker type cannot be used here", saying how to enable it.</summary>
    public string WhyNotEnabled(string? name)
    {
        var enabled = _enabled.Count == 0 ? "none" : string.Join(", ", _enabled.Keys.Order(StringComparer.Ordinal));
        return name is not null && IsRegistered(name)
            ? $"Worker type '{name}' is disabled. Enable it with the setting WorkerTypes:{name}:Enabled=true (environment variable WorkerTypes__{name}__Enabled=true) and restart the host. Enabled: {enabled}."
            : $"Unknown worker type '{name}'. Worker types: {string.Join(", ", Registered.Order(StringComparer.Ordinal))}; enabled: {enabled}. A disabled one is enabled with the setting WorkerTypes:<name>:Enabled=true.";
    }

    internal static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex NamePattern();
}
