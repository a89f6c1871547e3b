using System.Net;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Dashboard;

/// <summary>Issue 9 point 8: the dashboard's own endpoints answer every signed-in role, and the servers list needs a key.</summary>
[Collection(DashboardTests.Name)]
public sealed class DashboardEndpointsTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData(DashboardFixture.Viewer)]
    [InlineData(DashboardFixture.Operator)]
    public async Task Stats_AnswersTheSignedInUser_AsTheDashboardPollsIt_AndRefusesOtherRequestsWith4xx(string user)
    {
        using var browser = await fixture.SignInAsync(user);
        var page = await DashboardFixture.GetPageAsync(browser, "/hangfire");

        using var poll = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats")
        {
            Content = new FormUrlEncodedContent([new("metrics[]", "enqueued:count"), new("metrics[]", "servers:count")]),
        };
        if (page.CsrfHeader is { } header && page.CsrfToken is { } token)
        {
            poll.Headers.Add(header, token);
        }
        using var polled = await browser.SendAsync(poll);
        using var get = await browser.GetAsync("/hangfire/stats");
        using var json = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats") { Content = new StringContent("""{"metrics":["servers:count"]}""", System.Text.Encoding.UTF8, "application/json") };
        using var posted = await browser.SendAsync(json);
        using var bodiless = new HttpRequestMessage(HttpMethod.Post, "/hangfire/stats");
        if (page.CsrfHeader is { } bodilessHeader && page.CsrfToken is { } bodilessToken)
        {
            bodiless.Headers.Add(bodilessHeader, bodilessToken);
        }
        using var emptyPoll = await browser.SendAsync(bodiless);

        polled.StatusCode.ShouldBe(HttpStatusCode.OK, await polled.Content.ReadAsStringAsync());
        (await polled.Content.ReadAsStringAsync()).ShouldContain("servers:count");
        get.StatusCode.ShouldBe(HttpStatusCode.MethodNotAllowed, await get.Content.ReadAsStringAsync());
        get.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        posted.StatusCode.ShouldBe(HttpStatusCode.UnsupportedMediaType, await posted.Content.ReadAsStringAsync());
        emptyPoll.StatusCode.ShouldBe(HttpStatusCode.OK, await emptyPoll.Content.ReadAsStringAsync()); // a POST without a body is an empty form
    }

    [Fact]
    public async Task Servers_NeedAKey()
    {
        using var anonymous = new HttpClient { BaseAddress = fixture.BaseAddress };
        using var refused = await anonymous.GetAsync(new Uri("/api/servers", UriKind.Relative));
        using var viewer = new HttpClient { BaseAddress = fixture.BaseAddress };
        viewer.DefaultRequestHeaders.Add("X-Api-Key", EngineFixture.ViewerKey);
        using var allowed = await viewer.GetAsync(new Uri("/api/servers", UriKind.Relative));

        refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        allowed.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await allowed.Content.ReadAsStringAsync()).ShouldContain("engine");
    }
}
