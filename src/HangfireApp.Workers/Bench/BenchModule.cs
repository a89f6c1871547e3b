using HangfireApp.Batches.Modules;

namespace HangfireApp.Workers.Bench;

/// <summary>The <c>bench</c> worker type: diagnostic only, off unless <c>WorkerTypes:bench:Enabled</c> is true.</summary>
public sealed class BenchModule : IWorkerTypeModule
{
    public string Name => BenchHandler.Name;

    public void Register(WorkerTypeBuilder builder) => builder.Handler<BenchHandler>().DisabledByDefault();
}
