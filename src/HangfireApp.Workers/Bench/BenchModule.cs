using HangfireApp.Batches.Modules;

namespace HangfireApp.Workers.Bench;

/// <summary>The <c>bench</c> worker type: diagnostic only, off unless <c>WorkerTypes:bench:Enabled</c> is true.</summary>
public sealed class BenchModule : IWorkerTypeModule
{
    public string Name => BenchHandler.Name;

    public void Register(WorkerTypeBuilder builder) => builder.Handler<BenchHandler>().DisabledByDefault();
}

/// <summary>The <c>bench-bulk</c> worker type: <c>bench</c> through a bulk handler (<see cref="BenchBulkHandler"/>); off unless enabled.</summary>
public sealed class BenchBulkModule : IWorkerTypeModule
{
    public string Name => BenchBulkHandler.Name;

    public void Register(WorkerTypeBuilder builder) => builder.BulkHandler<BenchBulkHandler>().DisabledByDefault();
}
