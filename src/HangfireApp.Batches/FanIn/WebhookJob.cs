using System.ComponentModel;
using System.Net.Http.Json;
using Hangfire;
using HangfireApp.Batches.Outbound;
using Npgsql;

namespace HangfireApp.Batches.FanIn;

/// <summary>
/// POSTs a finished batch's summary to its continuation's webhook. A stable job contract (ids only);
/// retried by Hangfire with growing delays; the outcome is recorded on the continuation.
/// </summary>
public sealed class WebhookJob(NpgsqlDataSource dataSource, IHttpClientFactory httpClients)
{
    public const string HttpClientName = "webhooks";

    /// <summary>The outbound policy of webhooks (<c>Webhooks:AllowPrivateNetworks</c>, <c>Webhooks:AllowedNetworks</c>).</summary>
    public const string Section = "Webhooks";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [AutomaticRetry(Attempts = 8, DelaysInSeconds = [5, 15, 30, 60, 120, 300, 600, 1200], OnAttemptsExceeded = AttemptsExceededAction.Fail)]
    [DisplayName("Webhook of continuation {0}")]
    public async Task DeliverAsync(long continuationId, CancellationToken cancellationToken)
    {
        await using var read = dataSource.CreateCommand("""
            select c.webhook_url, c.batch_id, c.run_no, c.batch_state, c.next_batch_id, b.worker_type, b.total_items,
                   b.description, b.created_at, b.finished_at,
                   (select count(*) from app.items i where i.batch_id = b.id and i.state = 'succeeded'),
                   (select count(*) from app.items i where i.batch_id = b.id and i.state = 'failed'),
                   (select count(*) from app.items i where i.batch_id = b.id and i.state = 'cancelled')
            from app.continuations c join app.batches b on b.id = c.batch_id
            where c.id = @id and c.webhook_state = 'pending'
            """);
        read.Parameters.AddWithValue("id", continuationId);
        string url;
        object summary;
        await using (var reader = await read.ExecuteReaderAsync(cancellationToken))
        {
            if (!await reader.ReadAsync(cancellationToken))
            {
                return; // delivered already, or gone
            }
            url = reader.GetString(0);
            summary = new
            {
                batchId = reader.GetInt64(1),
                run = reader.GetInt32(2),
                state = reader.GetString(3),
                nextBatchId = reader.IsDBNull(4) ? (long?)null : reader.GetInt64(4),
                workerType = reader.GetString(5),
                totalItems = reader.GetInt32(6),
                description = reader.IsDBNull(7) ? null : reader.GetString(7),
                createdAt = reader.GetDateTime(8),
                finishedAt = reader.IsDBNull(9) ? (DateTime?)null : reader.GetDateTime(9),
                itemCounts = new { succeeded = reader.GetInt64(10), failed = reader.GetInt64(11), cancelled = reader.GetInt64(12) },
            };
        }

        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(Timeout);
            using var response = await httpClients.CreateClient(HttpClientName).PostAsJsonAsync(new Uri(url), summary, deadline.Token);
            response.EnsureSuccessStatusCode();
        }
        catch (Exception e) when (OutboundRefusedException.Find(e) is { } refused)
        {
            // The outbound policy refuses this URL every time (a private address, credentials): no retry can help.
            await RecordAsync(continuationId, "failed", refused.Message, cancellationToken);
            return;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await RecordAsync(continuationId, "pending", e.Message, cancellationToken);
            throw;
        }
        await RecordAsync(continuationId, "delivered", null, cancellationToken);
    }

    private async Task RecordAsync(long continuationId, string state, string? error, CancellationToken cancellationToken)
    {
        await using var update = dataSource.CreateCommand("""
            update app.continuations
            set webhook_state = @state, webhook_attempts = webhook_attempts + 1, webhook_error = @error,
                state = case when @state = 'delivered' and next_batch_id is null then 'completed' else state end
            where id = @id
            """);
        update.Parameters.AddWithValue("state", state);
        update.Parameters.AddWithValue("error", (object?)error ?? DBNull.Value);
        update.Parameters.AddWithValue("id", continuationId);
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
