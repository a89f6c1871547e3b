namespace HangfireApp.Batches.Logging;

/// <summary>
/// The registry of log event ids: every <c>[LoggerMessage]</c> of the engine and the host takes its id from here, so an
/// id means one event and is never used twice (a test checks that across every assembly). Ranges: 1000–1999 database,
/// 2000–2999 job servers, 3000–3999 the engine's batches, chunks, sweeps and controls, 4000–4999 the host (login, API),
/// 5000 and above the worker types, whose ids live in <c>HangfireApp.Workers.WorkerLogEventIds</c> (the engine names no
/// worker type), one block of 100 per type. Ids are stable: log queries and alerts key on them; never reuse a retired one.
/// </summary>
public static class LogEventIds
{
    // The engine.
    public const int MigratorMigrated = 1001;
    public const int MigratorDbUpWarning = 1002;
    public const int MigratorDbUpError = 1003;
    public const int BatchSubmitterSubmitted = 3001;
    public const int BatchSubmitterSubmitTimings = 3002;
    public const int BatchFinalizerFinalized = 3101;
    public const int BatchFinalizerNextStage = 3102;
    public const int BatchFinalizerNextStageUnknown = 3103;
    public const int ChunkRunnerNothingToClaim = 3201;
    public const int ChunkRunnerLeaseLost = 3202;
    public const int ChunkRunnerChunkRun = 3203;
    public const int ChunkRunnerTeardownFailed = 3204;
    public const int BatchControlCancelled = 3301;
    public const int BatchControlRerun = 3302;
    public const int StalledChunksSweepRescued = 3401;
    public const int StalledChunksSweepChunkRescued = 3402;
    public const int DeadLockHoldersReleased = 3411;
    public const int DeadLockHoldersCheckFailed = 3412;
    public const int DeadLockHoldersStamped = 3413;
    public const int JobQueueWakeupsListenerLost = 3421;
    public const int JobQueueWakeupsNotifyFailed = 3422;
    public const int ChunkJobParkingArmed = 3491;
    public const int ChunkJobParkingParked = 3492;
    public const int RepairBatchesSweepRepaired = 3501;
    public const int ScheduleServiceSaved = 3601;
    public const int ScheduleServiceDeleted = 3602;
    public const int ScheduleJobSubmitted = 3611;
    public const int ScheduleJobNothing = 3612;
    public const int PostgresJobConsoleFactoryFlushFailed = 3701;
    public const int ConsoleRetentionSweepDeleted = 3702;
    public const int WorkerTypeControlsChanged = 3801;
    public const int ControlRefresherRefreshFailed = 3802;
    public const int MinuteRollupRollupFailed = 3901;

    // The host.
    public const int JobServersHostedServiceServerStarted = 2001;
    public const int JobServersHostedServiceServersStopped = 2002;
    public const int JobServersHostedServiceResized = 2003;
    public const int JobServersHostedServiceDrained = 2004;
    public const int JobServersHostedServiceResizeFailed = 2005;
    public const int LoginEndpointsSignedIn = 4101;
    public const int LoginEndpointsFailed = 4102;
    public const int LoginEndpointsThrottled = 4103;
    public const int LoginEndpointsSlowedDown = 4104;
    public const int DataProtectionUnencryptedKey = 4110;
}
