namespace HangfireApp.Batches.JobOutput;

/// <summary>A console factory that keeps nothing; the default until a storing one is registered.</summary>
public sealed class NullJobConsoleFactory : IJobConsoleFactory
{
    public IJobConsoleSession Open(string jobId, string sectionTitle) => new Session();

    private sealed class Session : IJobConsoleSession
    {
        public void WriteLine(string text, ConsoleTextColor? color = null) { }

        public IProgressBar Progress(string name) => NullJobConsole.Instance;

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
