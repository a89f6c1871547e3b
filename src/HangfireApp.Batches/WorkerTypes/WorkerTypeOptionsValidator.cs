using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.WorkerTypes;

/// <summary>Stops the process at start when a worker type's settings make no sense, naming the setting.</summary>
internal sealed class WorkerTypeOptionsValidator(IEnumerable<WorkerTypeRegistration> registrations) : IValidateOptions<WorkerTypeOptions>
{
    public ValidateOptionsResult Validate(string? name, WorkerTypeOptions options)
    {
        if (name is null || !registrations.Any(registration => registration.Name == name))
        {
            return ValidateOptionsResult.Skip;
        }
        var path = $"{WorkerTypeOptions.Section}:{name}";
        var errors = new List<string>();
        if (options.Queue is not null && !WorkerTypeRegistry.IsValidName(options.Queue))
        {
            errors.Add($"{path}:Queue '{options.Queue}' is not a valid queue name (lowercase letters, digits, '_' and '-' only).");
        }
        if (options.ChunkSize is < 1 or > 100_000)
        {
            errors.Add($"{path}:ChunkSize must be between 1 and 100000 (it is {options.ChunkSize}).");
        }
        if (options.MaxDegreeOfParallelism is < 1 or > 10_000)
        {
            errors.Add($"{path}:MaxDegreeOfParallelism must be between 1 and 10000 (it is {options.MaxDegreeOfParallelism}).");
        }
        if (options.SliceSize is < 1 or > 100_000)
        {
            errors.Add($"{path}:SliceSize must be between 1 and 100000 (it is {options.SliceSize}).");
        }
        if (options.ItemTimeout <= TimeSpan.Zero)
        {
            errors.Add($"{path}:ItemTimeout must be positive.");
        }
        if (options.Retry.Attempts is < 1 or > 100)
        {
            errors.Add($"{path}:Retry:Attempts must be between 1 and 100 (it is {options.Retry.Attempts}).");
        }
        if (options.Retry.DelaysSeconds.Any(delay => delay < 0))
        {
            errors.Add($"{path}:Retry:DelaysSeconds must not be negative.");
        }
        if (options.MaxRunningChunks is < 1)
        {
            errors.Add($"{path}:MaxRunningChunks must be at least 1, or unset for no cap (it is {options.MaxRunningChunks}).");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
