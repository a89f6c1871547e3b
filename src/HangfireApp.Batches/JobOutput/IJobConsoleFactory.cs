namespace HangfireApp.Batches.JobOutput;

/// <summary>Opens a job's console; each open starts a new section (one per attempt). Flushes on dispose.</summary>
public interface IJobConsoleFactory
{
    IJobConsoleSession Open(string jobId, string sectionTitle);
}

/// <summary>A console section being written.</summary>
public interface IJobConsoleSession : IJobConsole, IAsyncDisposable;
