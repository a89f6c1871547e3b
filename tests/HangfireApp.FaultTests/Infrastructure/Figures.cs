using System.Globalization;

namespace HangfireApp.FaultTests.Infrastructure;

/// <summary>
/// Timing figures of the fault scenarios: printed with the test output (not asserted, except the recovery bound
/// the scenarios wait with), and appended to <c>HANGFIREAPP_FAULTS_FIGURES</c> when set, for ops/faults.sh's summary.
/// </summary>
public static class Figures
{
    private static readonly Lock Gate = new();

    public static void Report(string scenario, string measure, TimeSpan elapsed)
    {
        var line = string.Create(CultureInfo.InvariantCulture, $"{scenario}\t{measure}\t{elapsed.TotalSeconds:0.0}");
        TestContext.Current.TestOutputHelper?.WriteLine($"figure: {scenario}: {measure} {elapsed.TotalSeconds:0.0} s");
        TestContext.Current.SendDiagnosticMessage($"figure: {scenario}: {measure} {elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
        if (Environment.GetEnvironmentVariable("HANGFIREAPP_FAULTS_FIGURES") is { Length: > 0 } file)
        {
            lock (Gate)
            {
                File.AppendAllText(file, line + "\n");
            }
        }
    }
}
