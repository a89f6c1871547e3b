using System.Data;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Npgsql;

namespace HangfireApp.Batches.FanIn;

/// <summary>One item of a final batch, as a final handler reads it.</summary>
/// <param name="ItemNo">The item's position in its batch (0-based, the input order).</param>
/// <param name="State">Its final state: <see cref="States.ItemStates.Succeeded"/>, <see cref="States.ItemStates.Failed"/>
/// or <see cref="States.ItemStates.Cancelled"/> (<see cref="States.ItemStates.Pending"/> only if read too early).</param>
/// <param name="Payload">The item as submitted.</param>
/// <param name="Result">Its result (null when it has none).</param>
/// <param name="Error">Its last error, if any.</param>
public sealed record FinalItem(int ItemNo, string State, JsonElement Payload, JsonElement? Result, string? Error);

/// <summary>
/// Reads a batch's items for its <see cref="IBatchFinalHandler"/>, streamed in input order, so that worker types
/// never query the engine's tables themselves.
/// </summary>
public sealed class FinalItemsReader(NpgsqlDataSource dataSource)
{
    /// <summary>Every item of <paramref name="batchId"/>, in input order, streamed (memory stays flat for large batches).</summary>
    public async IAsyncEnumerable<FinalItem> ReadAsync(long batchId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            select item_no, state, payload::text, result::text, error from app.items where batch_id = @batch order by item_no
            """, connection);
        command.Parameters.AddWithValue("batch", batchId);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var itemNo = reader.GetInt32(0);
            var state = reader.GetString(1);
            var payload = Parse(reader.GetString(2));
            JsonElement? result = reader.IsDBNull(3) ? null : Parse(reader.GetString(3));
            var error = reader.IsDBNull(4) ? null : reader.GetString(4);
            yield return new FinalItem(itemNo, state, payload, result, error);
        }
    }

    private static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
