using System.Text.Json;
using HangfireApp.Batches.Storage;

namespace HangfireApp.Batches.Schedules;

/// <summary>
/// A named selection of items a schedule submits when it fires,
/// registered by the worker type it belongs to. Both calls run in the transaction that creates the batch,
/// so rows a query claims and the batch that processes them commit together or not at all.
/// </summary>
public interface IScheduleQuery
{
    /// <summary>The name schedules refer to: lowercase letters, digits and <c>-</c>.</summary>
    string Name { get; }

    /// <summary>The worker type whose items it selects; a schedule using it must name the same worker type.</summary>
    string WorkerType { get; }

    /// <summary>The items to submit now (at most <paramref name="limit"/>); none means nothing is submitted this time.</summary>
    Task<IReadOnlyList<JsonElement>> SelectAsync(AppTransaction transaction, int limit, CancellationToken cancellationToken);

    /// <summary>Called once the batch of the selected items exists, in the same transaction.</summary>
    Task OnSubmittedAsync(AppTransaction transaction, long batchId, IReadOnlyList<JsonElement> items, CancellationToken cancellationToken) =>
        Task.CompletedTask;
}
