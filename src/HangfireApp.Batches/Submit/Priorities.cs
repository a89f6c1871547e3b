using HangfireApp.Batches.Queues;

namespace HangfireApp.Batches.Submit;

/// <summary>Priorities as stored and as the API spells them: <c>high</c>, <c>normal</c>, <c>low</c>.</summary>
public static class Priorities
{
    public static string ToText(Priority priority) => priority switch
    {
        Priority.High => "high",
        Priority.Low => "low",
        _ => "normal",
    };

    public static bool TryParse(string? text, out Priority priority)
    {
        (var ok, priority) = text switch
        {
            null or "normal" => (true, Priority.Normal),
            "high" => (true, Priority.High),
            "low" => (true, Priority.Low),
            _ => (false, Priority.Normal),
        };
        return ok;
    }

    public static Priority Parse(string text) =>
        TryParse(text, out var priority) ? priority : throw new ArgumentOutOfRangeException(nameof(text), text, "Unknown priority.");
}
