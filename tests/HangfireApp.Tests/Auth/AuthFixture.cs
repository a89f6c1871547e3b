using HangfireApp.Tests.Infrastructure;
using Npgsql;

namespace HangfireApp.Tests.Auth;

/// <summary>
/// One host on Kestrel (127.0.0.1, random port) with the dashboard users of <see cref="DashboardTestUsers"/>,
/// forwarded headers on (loopback is a trusted proxy, so a test can play clients at other addresses) and a
/// throttle small enough to reach in a test. No job servers: these tests only need the web side.
/// </summary>
public sealed class AuthFixture : IAsyncLifetime
{
    public const int MaxFailuresPerUser = 3;
    public const int MaxFailuresPerAddress = 6;
    public static readonly TimeSpan Lockout = TimeSpan.FromSeconds(2);
    public static readonly TimeSpan UserDelay = TimeSpan.FromMilliseconds(100);

    private TestDatabase? _database;

    public AppFactory App { get; private set; } = null!;

    public Uri BaseAddress { get; private set; } = null!;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        App = new AppFactory(_database, Settings());
        BaseAddress = DashboardTestUsers.StartOnKestrel(App);
        Db = _database.CreateDataSource();
    }

    /// <summary>The settings of this fixture's host, for a second host on the same database.</summary>
    public static Dictionary<string, string?> Settings()
    {
        var settings = DashboardTestUsers.Settings();
        settings["App:Role"] = "web";
        settings["App:ForwardedHeaders:Enabled"] = "true";
        settings["Auth:Login:MaxFailuresPerUser"] = MaxFailuresPerUser.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Auth:Login:MaxFailuresPerAddress"] = MaxFailuresPerAddress.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Auth:Login:Lockout"] = Lockout.ToString();
        settings["Auth:Login:MaxLockout"] = "00:00:10";
        settings["Auth:Login:UserDelay"] = UserDelay.ToString();
        settings["Auth:Login:MaxUserDelay"] = "00:00:00.400";
        return settings;
    }

    /// <summary>A fresh client, as if from <paramref name="address"/> (through the trusted loopback proxy).</summary>
    public LoginClient Client(string address = "198.51.100.1") => new(BaseAddress) { ForwardedFor = address };

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Db.DisposeAsync();
        await _database!.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class AuthTests : ICollectionFixture<AuthFixture>
{
    public const string Name = "auth";
}
