using HangfireApp.Workers.Telemetry.Storage;

namespace HangfireApp.Workers.Telemetry.Intake;

/// <summary>What a registration request did, and the batch it started (when this host sweeps).</summary>
public sealed record IntakeResult(IReadOnlyList<MatchRegistration> Matches, int Registered, int Reopened, int Merged, long? BatchId);

/// <summary>
/// The one way matches come in, whichever door they use (upload, URL list, RabbitMQ): register them <c>pending</c>
/// (idempotent by match id), then — where this host processes telemetry — sweep pending matches into a batch at once
/// rather than waiting for the next <c>pending-matches</c> run.
/// </summary>
public sealed class TelemetryIntake(TelemetryMatchStore store, PendingMatchesSweep sweep)
{
    public async Task<IReadOnlyList<MatchRegistration>> RegisterUrlsAsync(IReadOnlyList<(string MatchId, string Url)> matches, CancellationToken cancellationToken) =>
        await store.RegisterUrlsAsync(matches, cancellationToken);

    public Task<MatchRegistration> RegisterUploadAsync(string matchId, Stream content, long maxBytes, CancellationToken cancellationToken) =>
        store.RegisterUploadAsync(matchId, content, maxBytes, cancellationToken);

    /// <summary>Turns pending matches into a batch now (a no-op where the worker type is disabled).</summary>
    public async Task<long?> SweepAsync(CancellationToken cancellationToken) => (await sweep.SweepAsync(cancellationToken)).BatchId;

    public static IntakeResult Summarise(IReadOnlyList<MatchRegistration> matches, long? batchId) => new(
        matches,
        matches.Count(m => m.Outcome == RegistrationOutcomes.Registered),
        matches.Count(m => m.Outcome == RegistrationOutcomes.Reopened),
        matches.Count(m => m.Outcome == RegistrationOutcomes.Merged),
        batchId);
}
