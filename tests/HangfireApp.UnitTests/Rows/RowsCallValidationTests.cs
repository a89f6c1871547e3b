using HangfireApp.Workers.Rows;

namespace HangfireApp.UnitTests.Rows;

public sealed class RowsCallValidationTests
{
    private static readonly string[] Columns = ["email", "name"];

    [Fact]
    public void Normalize_FillsDefaults_AndRedactedDropsOnlySecretValues()
    {
        var call = new RowsCall
        {
            UrlTemplate = " https://api.example/{email} ",
            Method = "post",
            Headers = [new("Authorization", "Bearer s", Secret: true), new("X-Plain", "p")],
        };

        var (normalized, template, errors) = RowsCallValidation.Normalize(call, Columns, new RowsOptions(), canKeepSecrets: true);

        errors.ShouldBeEmpty();
        template!.Placeholders.ShouldBe(["email"]);
        normalized!.Method.ShouldBe("POST");
        normalized.UrlTemplate.ShouldBe("https://api.example/{email}");
        (normalized.MaxInFlight, normalized.TimeoutSeconds, normalized.Burst, normalized.ProgressEvery).ShouldBe((16, 30.0, null, 100));
        normalized.Redacted().Headers.ShouldBe([new RowsHeader("Authorization", null, true), new RowsHeader("X-Plain", "p")]);
    }

    [Fact]
    public void Normalize_RefusesSecrets_WhenNoKeyIsConfigured_WithoutEchoingTheValue()
    {
        var call = new RowsCall { UrlTemplate = "https://api.example/{email}", Headers = [new("Authorization", "Bearer do-not-echo", Secret: true), new("authorization", "x")] };

        var (normalized, _, errors) = RowsCallValidation.Normalize(call, Columns, new RowsOptions(), canKeepSecrets: false);

        normalized.ShouldBeNull();
        errors.Keys.ShouldBe(["call.headers[0].secret", "call.headers[1].name"], ignoreOrder: true);
        errors.Values.SelectMany(m => m).ShouldAllBe(m => !m.Contains("do-not-echo", StringComparison.Ordinal));
    }

    [Fact]
    public void SecretProtector_RoundTrips_AndRefusesAnotherBatchOrKey()
    {
        var key = Convert.ToBase64String(new byte[32]);
        var protector = new SecretProtector(Microsoft.Extensions.Options.Options.Create(new RowsOptions { SecretKey = key }));
        var secrets = new Dictionary<string, string> { ["Authorization"] = "Bearer abc" };

        var sealedSecrets = protector.Protect(7, secrets);

        protector.Unprotect(7, sealedSecrets).ShouldBe(secrets);
        System.Text.Encoding.UTF8.GetString(sealedSecrets).ShouldNotContain("Bearer abc");
        Should.Throw<System.Security.Cryptography.CryptographicException>(() => protector.Unprotect(8, sealedSecrets));
        var other = new SecretProtector(Microsoft.Extensions.Options.Options.Create(new RowsOptions { SecretKey = Convert.ToBase64String(Enumerable.Repeat((byte)1, 32).ToArray()) }));
        Should.Throw<System.Security.Cryptography.CryptographicException>(() => other.Unprotect(7, sealedSecrets));
        SecretProtector.TryParseKey(Convert.ToBase64String(new byte[16])).ShouldBeNull();
    }
}
