using System.ComponentModel.DataAnnotations;

namespace HangfireApp.Batches.Database;

/// <summary>How the app reaches PostgreSQL and when its schema is migrated.</summary>
public sealed class DatabaseOptions
{
    public const string ConnectionStringName = "Postgres";

    /// <summary>The connection string, from <c>ConnectionStrings:Postgres</c>.</summary>
    [Required(ErrorMessage = "ConnectionStrings:Postgres is required.")]
    public string ConnectionString { get; set; } = "";

    /// <summary><c>App:MigrateOnStart</c>: apply pending migrations when the host starts (default true).</summary>
    public bool MigrateOnStart { get; set; } = true;
}
