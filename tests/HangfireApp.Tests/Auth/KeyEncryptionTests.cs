using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using HangfireApp.Tests.Infrastructure;

namespace HangfireApp.Tests.Auth;

/// <summary>Issue 9 point 8: the data-protection keys (which sign login cookies) were stored in the database in clear.</summary>
public sealed class KeyEncryptionTests
{
    [Fact]
    public async Task Keys_AreEncryptedWithTheConfiguredCertificate_AndEveryHostWithItReadsThem()
    {
        using var certificates = new TempCertificates();
        var pfx = certificates.Pfx("hangfireapp-keys", "pfx-password");
        await using var database = await TestDatabase.CreateAsync();
        await using var first = new AppFactory(database, WebHost(("Auth:DataProtection:CertificatePath", pfx), ("Auth:DataProtection:CertificatePassword", "pfx-password")));
        var firstAddress = DashboardTestUsers.StartOnKestrel(first);
        using var browser = new LoginClient(firstAddress);
        (await browser.LoginAsync("ada", DashboardTestUsers.Password)).StatusCode.ShouldBe(HttpStatusCode.Redirect);

        await using var db = database.CreateDataSource();
        await using (var command = db.CreateCommand("select xml from app.data_protection_keys"))
        {
            var xml = (string)(await command.ExecuteScalarAsync())!;
            xml.ShouldContain("encryptedSecret");
            xml.ShouldNotContain("<masterKey");
        }

        // A second host with the certificate (as PEM this time) accepts the first host's login cookie.
        var pem = TempCertificates.Pem(pfx, "pfx-password");
        await using var second = new AppFactory(database, WebHost(("Auth:DataProtection:CertificatePath", pem)));
        var secondAddress = DashboardTestUsers.StartOnKestrel(second);
        SharedKeysTests.CopyCookies(browser.Cookies, firstAddress, secondAddress);
        using var onSecond = new LoginClient(secondAddress, browser.Cookies);
        using var dashboard = await onSecond.GetAsync("/hangfire");
        dashboard.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await dashboard.Content.ReadAsStringAsync()).ShouldContain("Sign out (ada)");
    }

    private static Dictionary<string, string?> WebHost(params (string Key, string Value)[] extra)
    {
        var settings = DashboardTestUsers.Settings();
        settings["App:Role"] = "web";
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }
        return settings;
    }

    /// <summary>Self-signed RSA certificates in a temporary folder, deleted afterwards.</summary>
    private sealed class TempCertificates : IDisposable
    {
        private readonly string _folder = Directory.CreateTempSubdirectory("hangfireapp-certs-").FullName;

        public string Pfx(string name, string password)
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
            var path = Path.Combine(_folder, name + ".pfx");
            File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
            return path;
        }

        /// <summary>The same certificate and key as one PEM file (what <c>openssl req -x509 -nodes</c> makes).</summary>
        public static string Pem(string pfxPath, string password)
        {
            using var certificate = X509CertificateLoader.LoadPkcs12FromFile(pfxPath, password, X509KeyStorageFlags.Exportable);
            using var key = certificate.GetRSAPrivateKey()!;
            var path = Path.ChangeExtension(pfxPath, ".pem");
            File.WriteAllText(path, certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
            return path;
        }

        public void Dispose() => Directory.Delete(_folder, recursive: true);
    }
}
