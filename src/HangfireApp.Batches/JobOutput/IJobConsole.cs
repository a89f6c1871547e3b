namespace HangfireApp.Batches.JobOutput;

/// <summary>
/// A job's console: lines and named progress bars shown on the job's dashboard page. Writes are cheap
/// (buffered and flushed in batches), so calling it per item is fine.
/// </summary>
public interface IJobConsole
{
    void WriteLine(string text, ConsoleTextColor? color = null);

    /// <summary>The progress bar of this name, created at 0 on first use.</summary>
    IProgressBar Progress(string name);
}

/// <summary>A named progress bar, 0..100.</summary>
public interface IProgressBar
{
    void Set(double percent);
}

public enum ConsoleTextColor
{
    Gray,
    Green,
    Yellow,
    Red,
    Blue,
    Cyan,
}

/// <summary>Used where no job is running (and until a console is attached): drops everything.</summary>
public sealed class NullJobConsole : IJobConsole, IProgressBar
{
    public static readonly NullJobConsole Instance = new();

    public void WriteLine(string text, ConsoleTextColor? color = null) { }

    public IProgressBar Progress(string name) => this;

    public void Set(double percent) { }
}
