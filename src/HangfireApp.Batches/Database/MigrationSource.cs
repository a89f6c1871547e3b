using System.Reflection;

namespace HangfireApp.Batches.Database;

/// <summary>
/// Where some of the migration scripts come from: the engine's own (<c>migrations/</c> at the repository root,
/// embedded as <c>migrations.&lt;file&gt;</c>) or a worker-type module's <c>Migrations</c> folder. Every script is
/// journaled as <c>migrations.&lt;file&gt;</c> whichever folder it lives in, so a script that moved from the engine's
/// folder into a module's keeps its journal entry (no re-run on databases that already applied it).
/// </summary>
/// <param name="Owner">Who owns the scripts: <c>engine</c> or the worker type's name (for messages).</param>
/// <param name="Assembly">The assembly the scripts are embedded in.</param>
/// <param name="ResourcePrefix">The resource name prefix of the scripts; what follows it is the file name.</param>
public sealed record MigrationSource(string Owner, Assembly Assembly, string ResourcePrefix)
{
    /// <summary>The prefix of every journal name (<c>app.schema_versions.scriptname</c>).</summary>
    public const string JournalPrefix = "migrations.";

    /// <summary>The engine's scripts.</summary>
    public static MigrationSource Engine { get; } = new("engine", typeof(MigrationSource).Assembly, JournalPrefix);

    /// <summary>The scripts of a module: <c>&lt;module namespace&gt;.Migrations.*.sql</c> in the module's assembly.</summary>
    public static MigrationSource ForModule(Modules.IWorkerTypeModule module)
    {
        ArgumentNullException.ThrowIfNull(module);
        var type = module.GetType();
        return new(module.Name, type.Assembly, $"{type.Namespace}.Migrations.");
    }

    /// <summary>The scripts: journal name (<c>migrations.&lt;file&gt;</c>) and resource name.</summary>
    public IEnumerable<(string JournalName, string ResourceName)> Scripts() =>
        Assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Select(name => (JournalPrefix + name[ResourcePrefix.Length..], name));
}
