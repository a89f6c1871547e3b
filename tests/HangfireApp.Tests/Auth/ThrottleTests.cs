using System.Net;
using HangfireApp.Auth;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

[Collection(AuthTests.Name)]
public sealed class ThrottleTests(AuthFixture fixture)
{
    [Fact]
    public async Task UserName_IsLockedAfterTooManyFailures_EvenForTheRightPassword_UntilTheLockoutEnds()
    {
        // A user of its own, so other tests' logins do not count. Failures come from different addresses:
        // the per-user limit must hold however the guesses are spread.
        for (var i = 0; i < AuthFixture.MaxFailuresPerUser - 1; i++)
        {
            using var client = fixture.Client($"203.0.113.{10 + i}");
            (await client.LoginAsync("tess", "guess " + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using (var last = fixture.Client("203.0.113.30"))
        using (var locked = await last.LoginAsync("tess", "one guess too many"))
        {
            locked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            locked.Headers.RetryAfter.ShouldNotBeNull();
        }
        using (var right = fixture.Client("203.0.113.31"))
        using (var refused = await right.LoginAsync("tess", DashboardTestUsers.Password))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("Too many failed sign-ins");
        }

        await Task.Delay(AuthFixture.Lockout + TimeSpan.FromMilliseconds(500));
        using var later = fixture.Client("203.0.113.32");
        (await later.LoginAsync("tess", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await fixture.Db.ScalarAsync("select count(*) from app.login_failures where key = 'user:tess'")).ShouldBe(0, "a successful login forgets the user's failures");
    }

    [Fact]
    public async Task ClientAddress_IsLockedAfterTooManyFailures_AcrossUserNames()
    {
        const string address = "203.0.113.200";
        for (var i = 0; i < AuthFixture.MaxFailuresPerAddress - 1; i++)
        {
            using var client = fixture.Client(address);
            (await client.LoginAsync($"nobody-{i}", "guess")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using (var client = fixture.Client(address))
        {
            (await client.LoginAsync("nobody-last", "guess")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        }
        using (var sameAddress = fixture.Client(address))
        {
            (await sameAddress.LoginAsync("otto", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        }
        using var otherAddress = fixture.Client("203.0.113.201");
        (await otherAddress.LoginAsync("otto", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await fixture.Db.ScalarAsync("select count(*) from app.login_failures where key = @key", ("key", $"address:{address}"))).ShouldBe(1);
    }

    [Theory]
    [InlineData(0, 30)]
    [InlineData(1, 60)]
    [InlineData(3, 240)]
    [InlineData(10, 900)]
    public void Lockout_DoublesWithEachFailureOverTheLimit_UpToTheMaximum(int over, int expectedSeconds)
    {
        var settings = new LoginSettings { Lockout = TimeSpan.FromSeconds(30), MaxLockout = TimeSpan.FromMinutes(15) };
        LoginThrottle.LockoutFor(over, settings).ShouldBe(TimeSpan.FromSeconds(expectedSeconds));
    }
}
