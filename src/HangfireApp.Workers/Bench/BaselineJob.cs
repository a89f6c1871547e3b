namespace HangfireApp.Workers.Bench;

/// <summary>The benchmark's naive baseline: one Hangfire job per unit of work, doing nothing.</summary>
public static class BaselineJob
{
    public static void Noop(int unit)
    {
        _ = unit;
    }
}
