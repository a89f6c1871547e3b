using HangfireApp.TestSupport.Telemetry;
using HangfireApp.Workers.Telemetry.Parsing;
using HangfireApp.Workers.Telemetry.Storage;
using Npgsql;

namespace HangfireApp.Tests.Telemetry;

[Collection(TelemetryTests.Name)]
public sealed class TelemetryFileStoreTests(TelemetryFixture fixture) : IAsyncLifetime
{
    public async ValueTask InitializeAsync() => await fixture.ResetAsync();

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>
    /// The stored file's stream is disposed twice in the handler — by the parser (its gzip stream owns its input) and by the
    /// handler's own <c>await using</c> — and its connection is back in the pool after the first. A second dispose that
    /// reached the connection's reader again closed whatever the next user of that pooled connection was reading: Npgsql
    /// reuses one reader per connection. In the engine that hung another item's save or a chunk's flush for good.
    /// </summary>
    [Fact]
    public async Task StoredFileStream_DisposedTwice_LeavesTheConnectionsNextUserAlone()
    {
        var (status, body) = await fixture.UploadAsync(("match.json.gz", KnownMatch.Gzip()));
        status.ShouldBe(202, body.ToString());
        // One connection in the pool: the stream's connection is the one the next command gets.
        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(fixture.App.Database.ConnectionString) { MaxPoolSize = 1 }.ConnectionString);
        var stream = await TelemetryFileStore.OpenAsync(dataSource, KnownMatch.MatchId, TestContext.Current.CancellationToken);
        var match = await TelemetryParser.ParseAsync(stream, TestContext.Current.CancellationToken); // disposes the stream
        match.Summary.MatchId.ShouldBe(KnownMatch.MatchId);

        await using var connection = await dataSource.OpenConnectionAsync(TestContext.Current.CancellationToken);
        await using var command = new NpgsqlCommand("select generate_series(1, 3)", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue();
        await stream.DisposeAsync(); // the handler's `await using`
        stream.Dispose();

        (await reader.ReadAsync(TestContext.Current.CancellationToken)).ShouldBeTrue("the stream's second dispose closed the next user's reader");
        reader.GetInt32(0).ShouldBe(2);
    }
}
