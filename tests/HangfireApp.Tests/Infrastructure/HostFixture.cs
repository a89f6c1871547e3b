using Npgsql;

namespace HangfireApp.Tests.Infrastructure;

/// <summary>
/// A real host (in-memory server) on a freshly created database, ready before the first test: the life cycle
/// every collection fixture shares. Subclasses only say which settings their host runs with.
/// </summary>
public abstract class HostFixture : IAsyncLifetime
{
    private TestDatabase? _database;

    public AppFactory App { get; private set; } = null!;

    /// <summary>A client with the bootstrap admin key.</summary>
    public HttpClient Api { get; private set; } = null!;

    public NpgsqlDataSource Db { get; private set; } = null!;

    protected abstract Dictionary<string, string?> HostSettings();

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        App = new AppFactory(_database, HostSettings());
        Api = App.ApiClient();
        Db = _database.CreateDataSource();
        await Eventually.Until(
            () => Api.GetAsync(new Uri("/health/ready", UriKind.Relative)),
            response => response.IsSuccessStatusCode, TimeSpan.FromSeconds(30), "the host to become ready");
    }

    public async ValueTask DisposeAsync()
    {
        Api.Dispose();
        await App.DisposeAsync();
        await Db.DisposeAsync();
        await _database!.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}
