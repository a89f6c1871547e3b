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
        foreach (var registration in registrations)
        {
            var settings = options.Get(registration.Name);
            if (settings.Enabled ?? registration.EnabledByDefault)
            {
                _enabled[registration.Name] = new WorkerType(registration.Name, registration.HandlerType, settings.Queue ?? registration.Name, settings, registration.FinalHandlerType);
            }
        }
        WorkerQueues = [.. _enabled.Values.Select(type => type.Queue).Distinct().Order(StringComparer.Ordinal)];
    }

    public IReadOnlyList<string> WorkerQueues { get; }

    public IReadOnlyCollection<WorkerType> Enabled => _enabled.Values;

    public bool TryGet(string name, out WorkerType workerType) => _enabled.TryGetValue(name, out workerType!);

    public WorkerType Get(string name) =>
        _enabled.TryGetValue(name, out var type) ? type : throw new InvalidOperationException($"Worker type '{name}' is not enabled in this process.");

    internal static bool IsValidName(string name) => NamePattern().IsMatch(name);

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex NamePattern();
}
