using System.Text.Json;

namespace HangfireApp.Batches.WorkerTypes;

/// <summary>A handler with a typed payload (deserialized from the item's JSON, camelCase) and a typed result.</summary>
public abstract class ItemHandler<TPayload, TResult> : IItemHandler
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async ValueTask<object?> HandleAsync(WorkItem item, CancellationToken cancellationToken)
    {
        var payload = item.Payload.Deserialize<TPayload>(Json)
            ?? throw new InvalidDataException($"Item {item.ItemNo} has an empty payload.");
        return await HandleAsync(payload, item, cancellationToken);
    }

    protected abstract ValueTask<TResult> HandleAsync(TPayload payload, WorkItem item, CancellationToken cancellationToken);
}
