namespace HangfireApp.Workers;

/// <summary>
/// The worker types' log event ids, one block of 100 per type (packages 5100–5299, rows 5300–5399, scrape 5400–5499, telemetry 5600–5699, documents 5700–5799;
/// a new type takes the next free block). The engine's and the host's are in <c>HangfireApp.Batches.Logging.LogEventIds</c>;
/// a test checks that no id is used twice across both.
/// </summary>
public static class WorkerLogEventIds
{
    // Worker types.
    public const int PendingPackagesSweepSwept = 5101;
    public const int AdvisoryCacheWarmed = 5102;
    public const int AdvisoryCacheWarmFailed = 5103;
    public const int HttpScannerThrottled = 5201;
    public const int RowsHandlerCall = 5301;
    public const int RowsHandlerThrottled = 5302;
    public const int RowsFinalHandlerNoCall = 5311;
    public const int RowsFinalHandlerWritten = 5312;
    public const int ScrapeHandlerChunkStopped = 5401;
    public const int PendingMatchesSweepSwept = 5601;
    public const int SweepTriggerSweepFailed = 5602;
    public const int RabbitMqIntakeConsuming = 5610;
    public const int RabbitMqIntakeUnavailable = 5611;
    public const int RabbitMqIntakeRejected = 5612;
    public const int RabbitMqIntakeRegisterFailed = 5613;
    public const int RabbitMqIntakeChannelClosed = 5614;
    public const int OcrHandlerDeadline = 5701;
    public const int OcrHandlerPageFailed = 5702;
    public const int ValidationHandlerOutcome = 5710;
    public const int DocumentStageFinalHandlerEnded = 5711;
}
