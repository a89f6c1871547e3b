using System.Linq.Expressions;
using Hangfire;
using HangfireApp.Batches.Database;
using HangfireApp.Batches.FanIn;
using HangfireApp.Batches.WorkerTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace HangfireApp.Batches.Modules;

/// <summary>
/// What a <see cref="IWorkerTypeModule"/> declares itself through, in <see cref="IWorkerTypeModule.Register"/>.
/// Exactly one handler (per-item or bulk) is required; everything else is optional.
/// </summary>
public sealed class WorkerTypeBuilder
{
    private readonly IWorkerTypeModule _module;
    private Type? _handlerType;
    private Type? _finalHandlerType;
    private bool _enabledByDefault = true;

    internal WorkerTypeBuilder(IWorkerTypeModule module, IServiceCollection services)
    {
        _module = module;
        Services = services;
    }

    /// <summary>The worker type's name (<see cref="IWorkerTypeModule.Name"/>).</summary>
    public string Name => _module.Name;

    /// <summary>The host's services, for the type's own services (stores, clients, caches).</summary>
    public IServiceCollection Services { get; }

    /// <summary>
    /// The per-item handler: one instance per chunk run (a scoped service), called concurrently up to the type's
    /// <see cref="WorkerTypeOptions.MaxDegreeOfParallelism"/>.
    /// </summary>
    public WorkerTypeBuilder Handler<THandler>()
        where THandler : class, IItemHandler => SetHandler(typeof(THandler));

    /// <summary>
    /// The bulk handler, called with slices of <see cref="WorkerTypeOptions.SliceSize"/> items, with per-chunk setup and
    /// teardown (<see cref="IBulkItemHandler"/>). One instance per chunk run (a scoped service).
    /// </summary>
    public WorkerTypeBuilder BulkHandler<THandler>()
        where THandler : class, IBulkItemHandler => SetHandler(typeof(THandler));

    /// <summary>What runs once per batch run when one of the type's batches is final (e.g. assemble its output file).</summary>
    public WorkerTypeBuilder FinalHandler<TFinalHandler>()
        where TFinalHandler : class, IBatchFinalHandler
    {
        if (_finalHandlerType is not null)
        {
            throw new InvalidOperationException($"Worker type '{Name}' declares two final handlers.");
        }
        _finalHandlerType = typeof(TFinalHandler);
        Services.AddTransient<TFinalHandler>();
        return this;
    }

    /// <summary>Off unless <c>WorkerTypes:&lt;name&gt;:Enabled</c> is true (diagnostic types). Default: on.</summary>
    public WorkerTypeBuilder DisabledByDefault()
    {
        _enabledByDefault = false;
        return this;
    }

    /// <summary>
    /// The type's defaults for the engine's settings (chunk size, parallelism, item timeout, retries); configuration
    /// (<c>WorkerTypes:&lt;name&gt;</c>) still overrides each of them.
    /// </summary>
    public WorkerTypeBuilder Defaults(Action<WorkerTypeOptions> defaults)
    {
        // Configure runs before the binding AddWorkerType adds later, so configuration wins.
        Services.Configure(Name, defaults);
        return this;
    }

    /// <summary>
    /// The type's own options, bound from <paramref name="section"/> and validated at start: <paramref name="validate"/>
    /// returns null when they are valid, else the message that stops the process (name the setting in it).
    /// </summary>
    public WorkerTypeBuilder Options<TOptions>(string section, Func<TOptions, string?>? validate = null)
        where TOptions : class
    {
        var options = Services.AddOptions<TOptions>().BindConfiguration(section).ValidateOnStart();
        if (validate is not null)
        {
            Services.AddSingleton<IValidateOptions<TOptions>>(new DelegateValidator<TOptions>(validate));
        }
        return this;
    }

    /// <summary>
    /// The type's SQL migrations: the <c>.sql</c> files of a <c>Migrations</c> folder next to the module class, embedded
    /// in its assembly (resource names <c>&lt;module namespace&gt;.Migrations.&lt;file&gt;</c>). They are applied with the
    /// engine's, by the same migrator and journal, in the order of their file names across all modules and the engine:
    /// number them (<c>0100_mytype.sql</c>) in a range no other module uses; a clash stops the process at start.
    /// Applied whether or not the type is enabled, so that enabling it later finds its tables.
    /// </summary>
    public WorkerTypeBuilder Migrations()
    {
        Services.AddSingleton(MigrationSource.ForModule(_module));
        return this;
    }

    /// <summary>The audit action names the type's endpoints record (<c>&lt;type&gt;.&lt;verb&gt;</c>, e.g. <c>mytype.upload</c>).</summary>
    public WorkerTypeBuilder AuditActions(params string[] actions)
    {
        foreach (var action in actions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(action);
            Services.AddSingleton(new AuditActionName(action, Name));
        }
        return this;
    }

    /// <summary>
    /// A recurring job (a sweep) with a stable <paramref name="id"/>, on the maintenance queue, registered at start
    /// where the type is enabled; <paramref name="cron"/> reads its schedule (e.g. from the type's options).
    /// </summary>
    public WorkerTypeBuilder RecurringJob<TJob>(string id, Expression<Func<TJob, Task>> call, Func<IServiceProvider, string> cron)
        where TJob : class
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        Services.AddTransient<TJob>();
        Services.AddSingleton(new WorkerTypeRecurringJob(Name, id, (recurring, services) =>
            recurring.AddOrUpdate(id, Queues.QueueNames.Maintenance, call, cron(services),
                new RecurringJobOptions { MisfireHandling = MisfireHandlingMode.Relaxed })));
        return this;
    }

    /// <summary>
    /// Additions to the Hangfire dashboard (pages in <c>Hangfire.Dashboard.DashboardRoutes.Routes</c>, items in
    /// <c>NavigationMenu.Items</c>), made once by <see cref="WorkerTypesSetup.MapWorkerTypes"/>. Hangfire keeps these in
    /// process-wide lists: add a route only if it is not there yet.
    /// </summary>
    public WorkerTypeBuilder Dashboard(Action<IServiceProvider> addToDashboard)
    {
        ArgumentNullException.ThrowIfNull(addToDashboard);
        Services.AddSingleton(new WorkerTypeDashboardAddition(Name, addToDashboard));
        return this;
    }

    internal void Complete()
    {
        if (_handlerType is null)
        {
            throw new InvalidOperationException($"Worker type '{Name}' declares no handler: call Handler<T>() or BulkHandler<T>() in its module.");
        }
        Services.AddSingleton(new WorkerTypeRegistration(Name, _handlerType, _enabledByDefault, _finalHandlerType));
        Services.AddScoped(_handlerType);
        Services.AddOptions<WorkerTypeOptions>(Name).BindConfiguration($"{WorkerTypeOptions.Section}:{Name}").ValidateOnStart();
    }

    private WorkerTypeBuilder SetHandler(Type handlerType)
    {
        if (_handlerType is not null)
        {
            throw new InvalidOperationException($"Worker type '{Name}' declares two handlers ({_handlerType.Name}, {handlerType.Name}): one per type.");
        }
        _handlerType = handlerType;
        return this;
    }

    private sealed class DelegateValidator<TOptions>(Func<TOptions, string?> validate) : IValidateOptions<TOptions>
        where TOptions : class
    {
        public ValidateOptionsResult Validate(string? name, TOptions options) =>
            validate(options) is { } error ? ValidateOptionsResult.Fail(error) : ValidateOptionsResult.Success;
    }
}

/// <summary>An audit action a worker type declared, with the type that declared it.</summary>
public sealed record AuditActionName(string Action, string WorkerType);

/// <summary>A recurring job a worker type declared.</summary>
public sealed record WorkerTypeRecurringJob(string WorkerType, string Id, Action<IRecurringJobManager, IServiceProvider> Register);

/// <summary>A dashboard addition a worker type declared.</summary>
public sealed record WorkerTypeDashboardAddition(string WorkerType, Action<IServiceProvider> Add);
