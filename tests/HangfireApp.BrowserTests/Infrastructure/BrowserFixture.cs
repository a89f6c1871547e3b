using System.Net.Http.Json;
using System.Text.Json;

namespace HangfireApp.BrowserTests.Infrastructure;

/// <summary>
/// One browser host and one Chromium shared by the scenarios of the <see cref="BrowserTests"/> collection:
/// starting either costs seconds on a 2-core machine. Scenarios sign in as the role they need.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    public BrowserHost Host { get; private set; } = null!;

    public Browser Browser { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        Host = await BrowserHost.StartAsync();
        Browser = Browser.Start();
    }

    public async ValueTask DisposeAsync()
    {
        Browser?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BrowserTests : ICollectionFixture<BrowserFixture>
{
    public const string Name = "browser";
}

/// <summary>
/// Base of a browser scenario: gives the shared host and browser, and saves a screenshot named after the test
/// when it fails (in addition to the screenshots a scenario takes itself).
/// </summary>
[Collection(BrowserTests.Name)]
public abstract class BrowserScenario(BrowserFixture fixture) : IAsyncLifetime
{
    protected BrowserHost Host => fixture.Host;

    protected Browser Browser => fixture.Browser;

    /// <summary>Submits a batch through the API; its id.</summary>
    protected async Task<long> SubmitAsync(object body)
    {
        using var response = await Host.Api.PostAsJsonAsync("api/batches", body);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue(text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetInt64();
    }

    /// <summary>The batch's state, read from the database.</summary>
    protected async Task<string> StateAsync(long id)
    {
        await using var command = Host.Db.CreateCommand("select state from app.batches where id = @id");
        command.Parameters.AddWithValue("id", id);
        return (string)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask InitializeAsync() => ValueTask.CompletedTask;

    public ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        var context = TestContext.Current;
        if (context.TestState?.Result is TestResult.Failed && context.Test is { } test)
        {
            try
            {
                var path = Browser.Screenshot($"{GetType().Name}-{test.TestDisplayName}-failed");
                context.SendDiagnosticMessage($"Screenshot of the failure: {path}");
            }
            catch (Exception e) when (e is OpenQA.Selenium.WebDriverException or IOException)
            {
                context.SendDiagnosticMessage($"No failure screenshot: {e.Message}");
            }
        }
        return ValueTask.CompletedTask;
    }
}
