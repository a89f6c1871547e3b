using HangfireApp.Auth;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("Auth:Users:0:Role", "superuser", "Auth:Users:0:Role must be viewer, operator or admin")]
    [InlineData("Auth:Users:0:PasswordHash", "", "Auth:Users:0:PasswordHash is empty")]
    [InlineData("Auth:Users:0:PasswordHash", "plain-text-password", "Auth:Users:0:PasswordHash is not an ASP.NET Core password hash")]
    [InlineData("App:PathBase", "jobs/", "App:PathBase must start with '/'")]
    [InlineData("App:ForwardedHeaders:KnownNetworks:0", "10.0.0.0/33", "App:ForwardedHeaders:KnownNetworks:0 is not a CIDR network")]
    [InlineData("Auth:DataProtection:CertificatePath", "/nonexistent/keys.pfx", "Auth:DataProtection:CertificatePath ('/nonexistent/keys.pfx') cannot be loaded")]
    public async Task Host_RefusesToStart_WithABadSetting_NamingIt(string key, string value, string message)
    {
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string> { ["ConnectionStrings:Postgres"] = database.ConnectionString, ["App:Role"] = "web" };
        foreach (var (name, setting) in DashboardTestUsers.Settings())
        {
            settings[name] = setting!;
        }
        settings[key] = value;
        await using var host = HostProcess.Start(settings);
        (await host.WaitForExitAsync(TimeSpan.FromSeconds(60))).ShouldBeTrue("the host should stop on its own");
        host.ExitCode.ShouldNotBe(0);
        host.Output.ShouldContain(message);
    }

    [Fact]
    public void HashPassword_PrintsAHashThatVerifies_AndNeverThePassword()
    {
        var output = new StringWriter();
        var original = System.Console.Out;
        System.Console.SetOut(output);
        try
        {
            HashPasswordVerb.Run(["s3cret-for-the-verb"]).ShouldBe(0);
        }
        finally
        {
            System.Console.SetOut(original);
        }
        var hash = output.ToString().Trim();
        hash.ShouldNotContain("s3cret-for-the-verb");
        PasswordHashes.LooksValid(hash).ShouldBeTrue();
        PasswordHashes.Verify(hash, "s3cret-for-the-verb").ShouldBeTrue();
        PasswordHashes.Verify(hash, "something else").ShouldBeFalse();
    }

    [Fact]
    public async Task HashPassword_ReadsThePasswordFromStdin_WhenNotGivenOne()
    {
        var hostDll = Path.Combine(AppContext.BaseDirectory, "HangfireApp.dll");
        var info = new System.Diagnostics.ProcessStartInfo("dotnet", [hostDll, "hash-password"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        using var process = System.Diagnostics.Process.Start(info)!;
        await process.StandardInput.WriteLineAsync("piped-password");
        process.StandardInput.Close();
        var hash = (await process.StandardOutput.ReadToEndAsync()).Trim();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, await process.StandardError.ReadToEndAsync());
        PasswordHashes.Verify(hash, "piped-password").ShouldBeTrue();
    }
}
