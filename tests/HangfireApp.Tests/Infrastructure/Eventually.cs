namespace HangfireApp.Tests.Infrastructure;

/// <summary>Waits for a condition that a background job makes true, failing with what was last seen.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T last;
        while (true)
        {
            last = await probe();
            if (done(last))
            {
                return last;
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting {because ?? "for the condition"}; last seen: {last}");
            }
            await Task.Delay(100);
        }
    }
}
