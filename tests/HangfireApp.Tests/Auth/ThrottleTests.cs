using System.Net;
using HangfireApp.Auth;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

/// <summary>
/// Failed sign-ins lock a (user name, address) pair and an address; a user name's failures from everywhere only slow
/// its sign-ins down (issue 9 point 6: guesses from anywhere must not lock the real user out).
/// </summary>
[Collection(AuthTests.Name)]
public sealed class ThrottleTests(AuthFixture fixture)
{
    [Fact]
    public async Task UserAndAddress_IsLockedAfterTooManyFailures_EvenForTheRightPassword_UntilTheLockoutEnds()
    {
        const string address = "203.0.113.20";
        for (var i = 0; i < AuthFixture.MaxFailuresPerUser - 1; i++)
        {
            using var client = fixture.Client(address);
            (await client.LoginAsync("pat", "guess " + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using (var last = fixture.Client(address))
        using (var locked = await last.LoginAsync("pat", "one guess too many"))
        {
            locked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            locked.Headers.RetryAfter.ShouldNotBeNull();
        }
        using (var right = fixture.Client(address))
        using (var refused = await right.LoginAsync("pat", DashboardTestUsers.Password))
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
            (await refused.Content.ReadAsStringAsync()).ShouldContain("Too many failed sign-ins");
        }

        // The same user from another address is not locked out.
        using (var elsewhere = fixture.Client("203.0.113.21"))
        {
            (await elsewhere.LoginAsync("pat", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        }
        // The locked pair opens again once its lockout ends (waiting for it, never guessing meanwhile).
        await Eventually.Until(async () =>
        {
            using var later = fixture.Client(address);
            using var response = await later.LoginAsync("pat", DashboardTestUsers.Password);
            return response.StatusCode;
        }, status => status == HttpStatusCode.Redirect, AuthFixture.Lockout * 5, "the (pat, address) lockout to end");
        (await fixture.Db.ScalarAsync("select count(*) from app.login_failures where key like 'user%:pat%'")).ShouldBe(0,
            "a successful login forgets the user's failures");
    }

    [Fact]
    public async Task UserName_GuessedFromManyAddresses_IsOnlySlowedDown_NeverLockedOut()
    {
        // Guesses spread over addresses, more than any limit: none of them is locked, each pair failed once.
        for (var i = 0; i < AuthFixture.MaxFailuresPerUser + 3; i++)
        {
            using var client = fixture.Client($"203.0.113.{40 + i}");
            (await client.LoginAsync("tess", "guess " + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        var throttle = fixture.App.Service<LoginThrottle>();
        var gate = await throttle.CheckAsync("tess", IPAddress.Parse("203.0.113.99"), TestContext.Current.CancellationToken);
        gate.RetryAfter.ShouldBe(TimeSpan.Zero);
        gate.Slowdown.ShouldBeGreaterThan(TimeSpan.Zero);
        gate.Slowdown.ShouldBeLessThanOrEqualTo(TimeSpan.FromMilliseconds(400));

        // The real user, from their own address, signs in (after the slowdown).
        using var real = fixture.Client("203.0.113.99");
        (await real.LoginAsync("tess", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await throttle.CheckAsync("tess", IPAddress.Parse("203.0.113.98"), TestContext.Current.CancellationToken)).Slowdown
            .ShouldBe(TimeSpan.Zero, "a successful login forgets the user's failures");
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

    [Fact]
    public async Task Failures_OnOneHost_LockTheUserAndAddressOnAnother()
    {
        const string address = "203.0.113.150";
        await using var second = new AppFactory(fixture.App.Database, AuthFixture.Settings());
        var secondAddress = DashboardTestUsers.StartOnKestrel(second);
        for (var i = 0; i < AuthFixture.MaxFailuresPerUser - 1; i++)
        {
            using var client = fixture.Client(address);
            (await client.LoginAsync("vera", "guess " + i)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        using (var onSecond = new LoginClient(secondAddress) { ForwardedFor = address })
        {
            (await onSecond.LoginAsync("vera", "the last guess")).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        }
        using (var onFirst = fixture.Client(address))
        {
            (await onFirst.LoginAsync("vera", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        }
        await Eventually.Until(async () =>
        {
            using var later = new LoginClient(secondAddress) { ForwardedFor = address };
            using var response = await later.LoginAsync("vera", DashboardTestUsers.Password);
            return response.StatusCode;
        }, status => status == HttpStatusCode.Redirect, AuthFixture.Lockout * 5, "the (vera, address) lockout to end");
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
