using HangfireApp.Batches.Modules;
using HangfireApp.Workers.Documents.Api;
using HangfireApp.Workers.Documents.Dashboard;
using HangfireApp.Workers.Documents.Intake;
using HangfireApp.Workers.Documents.Nlp;
using HangfireApp.Workers.Documents.Ocr;
using HangfireApp.Workers.Documents.Preprocessing;
using HangfireApp.Workers.Documents.Storage;
using HangfireApp.Workers.Documents.Validation;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Documents;

/// <summary>
/// The documents pipeline: four worker types, each its own module, queue and worker count, chained by continuations —
/// <c>preprocessing</c> (this module: it also owns the pipeline's settings, services, tables, endpoints and dashboard
/// page), <see cref="OcrModule"/>, <see cref="NlpModule"/> and <see cref="ValidationModule"/>.
/// </summary>
public sealed class DocumentsModule : IWorkerTypeModule
{
    public const string SubmitAction = "documents.submit";
    public const string RerunAction = "documents.rerun";

    /// <summary>The pipeline's four modules, in stage order.</summary>
    public static IReadOnlyList<IWorkerTypeModule> Stages { get; } = [new DocumentsModule(), new OcrModule(), new NlpModule(), new ValidationModule()];

    public string Name => DocumentStages.Preprocessing;

    public void Register(WorkerTypeBuilder builder)
    {
        builder.Handler<PreprocessingHandler>()
            .FinalHandler<DocumentStageFinalHandler>()
            .Defaults(options =>
            {
                // A document per item, decoded and normalised page by page: small chunks spread documents over hosts.
                options.ChunkSize = 4;
                options.MaxDegreeOfParallelism = 2;
                options.ItemTimeout = TimeSpan.FromMinutes(10);
            })
            .Options<DocumentsOptions>(DocumentsOptions.Section, options => options.Validate())
            .Migrations()
            .AuditActions(SubmitAction, RerunAction)
            .Dashboard(DocumentsDashboard.Add);

        var services = builder.Services;
        // The built-in profiles under the configured ones: configuration changes a rule or adds a profile.
        services.PostConfigure<DocumentsOptions>(options =>
        {
            foreach (var (name, profile) in DocumentsOptions.BuiltInProfiles)
            {
                options.Profiles.TryAdd(name, profile);
            }
        });
        services.AddSingleton<IDocumentFileStore, PostgresDocumentFileStore>();
        services.AddSingleton<DocumentStore>();
        services.AddSingleton<DocumentSubmitter>();
        services.AddSingleton<DocumentRerun>();
        services.AddSingleton<TesseractLanguages>();
        services.AddSingleton<PreprocessingGate>();
        services.AddSingleton(TimeProvider.System);
        // Created on the first page, so a host that never runs OCR starts no OCR threads and loads no model.
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<DocumentsOptions>>().Value;
            return new OcrThreads(options.TessdataPath, options.OcrThreads);
        });
    }

    public void MapEndpoints(IEndpointRouteBuilder api) => DocumentsApi.Map(api);
}

/// <summary>Stage <c>ocr</c>: one item per page, Tesseract through this process's OCR threads.</summary>
public sealed class OcrModule : IWorkerTypeModule
{
    public string Name => DocumentStages.Ocr;

    public void Register(WorkerTypeBuilder builder) =>
        builder.Handler<OcrHandler>().FinalHandler<DocumentStageFinalHandler>().Defaults(options =>
        {
            // One page per chunk: a page is about a CPU-second of Tesseract, a chunk's bookkeeping a few milliseconds, and
            // a host then holds only the pages its Hangfire workers have taken, so every host on the database takes its
            // share of a batch (with 4 pages a chunk, the first host up claimed a 10-page batch whole). The OCR threads
            // bound the real concurrency whatever the number of pages taken.
            options.ChunkSize = 1;
            options.MaxDegreeOfParallelism = 1;
            options.ItemTimeout = TimeSpan.FromMinutes(5);
        });
}

/// <summary>Stage <c>nlp</c>: one item per document, language, entities and the searchable PDF.</summary>
public sealed class NlpModule : IWorkerTypeModule
{
    public string Name => DocumentStages.Nlp;

    public void Register(WorkerTypeBuilder builder) =>
        builder.Handler<NlpHandler>().FinalHandler<DocumentStageFinalHandler>().Defaults(options =>
        {
            options.ChunkSize = 20;
            options.MaxDegreeOfParallelism = 2;
        });
}

/// <summary>Stage <c>validation</c>: one item per document, its profile's rules and its final status.</summary>
public sealed class ValidationModule : IWorkerTypeModule
{
    public string Name => DocumentStages.Validation;

    public void Register(WorkerTypeBuilder builder) =>
        builder.Handler<ValidationHandler>().FinalHandler<DocumentStageFinalHandler>().Defaults(options =>
        {
            options.ChunkSize = 50;
            options.MaxDegreeOfParallelism = 4;
        });
}
