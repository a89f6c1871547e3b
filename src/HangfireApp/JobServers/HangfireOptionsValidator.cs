using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace HangfireApp.JobServers;

/// <summary>Stops the process at start with a message naming the setting that is wrong.</summary>
internal sealed partial class HangfireOptionsValidator : IValidateOptions<HangfireOptions>
{
    public const int MaxWorkerCount = 1000;

    public ValidateOptionsResult Validate(string? name, HangfireOptions options)
    {
        var errors = new List<string>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Servers.Count; i++)
        {
            var server = options.Servers[i];
            var path = $"{HangfireOptions.Section}:Servers:{i}";
            if (string.IsNullOrWhiteSpace(server.Name))
            {
                errors.Add($"{path}:Name is required.");
            }
            else if (!names.Add(server.Name))
            {
                errors.Add($"{path}:Name '{server.Name}' is used by another server.");
            }
            if (server.WorkerCount is < 1 or > MaxWorkerCount)
            {
                errors.Add($"{path}:WorkerCount must be between 1 and {MaxWorkerCount} (it is {server.WorkerCount}).");
            }
            if (server.Queues.Count == 0)
            {
                errors.Add($"{path}:Queues must list at least one queue.");
            }
            for (var q = 0; q < server.Queues.Count; q++)
            {
                if (!IsValidQueueName(server.Queues[q]))
                {
                    errors.Add($"{path}:Queues:{q} '{server.Queues[q]}' is not a valid queue name (lowercase letters, digits, '_' and '-' only).");
                }
            }
        }
        if (options.HeartbeatInterval <= TimeSpan.Zero)
        {
            errors.Add($"{HangfireOptions.Section}:HeartbeatInterval must be positive.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static bool IsValidQueueName(string queue) => QueueName().IsMatch(queue);

    [GeneratedRegex("^[a-z0-9_-]+$")]
    private static partial Regex QueueName();
}
