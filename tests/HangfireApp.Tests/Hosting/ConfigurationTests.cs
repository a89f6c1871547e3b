using HangfireApp.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace HangfireApp.Tests.Hosting;

public sealed class ConfigurationTests
{
    /// <summary>
    /// The settings files are read once and not watched: a watcher covers the whole content root (the working directory),
    /// which for <c>ops/run.sh</c> is the checkout with PostgreSQL's data folder in it, so every write of the database woke it.
    /// </summary>
    [Fact]
    public async Task SettingsFiles_AreReadOnce_NotWatched()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new AppFactory(database);

        var files = ((IConfigurationRoot)app.Service<IConfiguration>()).Providers.OfType<FileConfigurationProvider>().ToList();

        files.ShouldNotBeEmpty();
        files.ShouldAllBe(file => !file.Source.ReloadOnChange);
    }
}
