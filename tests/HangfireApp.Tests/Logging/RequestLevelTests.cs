using HangfireApp.Logging;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace HangfireApp.Tests.Logging;

/// <summary>Issue 9 point 8: every 401/404 was a line at Information (2 M requests to <c>/</c> wrote 788 MB).</summary>
public sealed class RequestLevelTests
{
    [Theory]
    [InlineData("/", 404, LogEventLevel.Debug)]
    [InlineData("/api/batches", 401, LogEventLevel.Debug)]
    [InlineData("/api/batches", 400, LogEventLevel.Debug)]
    [InlineData("/account/login", 429, LogEventLevel.Debug)]
    [InlineData("/api/batches", 202, LogEventLevel.Information)]
    [InlineData("/health/ready", 200, LogEventLevel.Verbose)]
    [InlineData("/health/ready", 503, LogEventLevel.Error)]
    [InlineData("/api/batches", 500, LogEventLevel.Error)]
    public void RequestLevel_LogsClientErrorsBelowInformation(string path, int status, LogEventLevel expected)
    {
        var context = new DefaultHttpContext();
        context.Request.Path = path;
        context.Response.StatusCode = status;

        LoggingSetup.RequestLevel(context, exception: null).ShouldBe(expected);
    }

    [Fact]
    public void RequestLevel_IsError_WhenTheRequestThrew() =>
        LoggingSetup.RequestLevel(new DefaultHttpContext(), new InvalidOperationException("boom")).ShouldBe(LogEventLevel.Error);
}
