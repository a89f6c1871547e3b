using System.Text.Json;
using System.Text.Json.Serialization;
using HangfireApp.Batches.Queues;

namespace HangfireApp.Batches.Submit;

/// <summary>The continuation as stored in <c>app.batches.continuation</c> and shown by the API.</summary>
public sealed record ContinuationJson(string Condition, NextStageJson? Next, string? WebhookUrl)
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static ContinuationJson From(ContinuationSpec spec) => new(
        spec.Condition == ContinuationCondition.OnAnyFinal ? "on_any_final" : "on_success",
        spec.Next is null ? null : new NextStageJson(spec.Next.WorkerType, spec.Next.ChunkSize, spec.Next.Priority is { } p ? Priorities.ToText(p) : null,
            spec.Next.Continuation is null ? null : From(spec.Next.Continuation)),
        spec.WebhookUrl);

    public ContinuationSpec ToSpec() => new(
        Condition == "on_any_final" ? ContinuationCondition.OnAnyFinal : ContinuationCondition.OnSuccess,
        Next is null ? null : new NextStage(Next.WorkerType, Next.ChunkSize, Next.Priority is null ? null : Priorities.Parse(Next.Priority), Next.Continuation?.ToSpec()),
        WebhookUrl);
}

/// <summary>A next stage as stored; <see cref="Continuation"/> is the stage's own (pipelines of any depth).</summary>
public sealed record NextStageJson(string WorkerType, int? ChunkSize, string? Priority, ContinuationJson? Continuation = null);

internal static class PriorityDefaults
{
    public static Priority Or(this Priority? priority, Priority fallback) => priority ?? fallback;
}
