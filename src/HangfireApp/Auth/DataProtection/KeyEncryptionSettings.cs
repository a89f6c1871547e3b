using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace HangfireApp.Auth.DataProtection;

/// <summary>
/// <c>Auth:DataProtection</c>: the certificate that encrypts the data-protection keys at rest in
/// <c>app.data_protection_keys</c> (whoever reads those keys can forge a login cookie). Every host of a database
/// needs the same certificate; an old one stays listed in <see cref="PreviousCertificatePaths"/> while keys it
/// encrypted are still in use.
/// </summary>
public sealed class KeyEncryptionSettings
{
    public const string Section = "Auth:DataProtection";

    /// <summary>A PKCS#12 file (<c>.pfx</c>, <c>.p12</c>) or a PEM certificate; with its private key (RSA).</summary>
    public string? CertificatePath { get; set; }

    /// <summary>The PEM private key, when it is not in <see cref="CertificatePath"/>'s file.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>The PKCS#12 file's password, or the PEM key's when it is encrypted.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Certificates that encrypted older keys: still used to decrypt, never to encrypt (PKCS#12 without a password or PEM with the key).</summary>
    public List<string> PreviousCertificatePaths { get; set; } = [];

    /// <summary>Loads the certificates; a missing file or a certificate without a private key stops the host, naming the setting.</summary>
    internal (X509Certificate2 Current, X509Certificate2[] Previous)? Load()
    {
        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            return null;
        }
        var current = LoadOne(CertificatePath, CertificateKeyPath, CertificatePassword, $"{Section}:CertificatePath");
        var previous = PreviousCertificatePaths.Select((path, i) => LoadOne(path, null, null, $"{Section}:PreviousCertificatePaths:{i}")).ToArray();
        return (current, previous);
    }

    private static X509Certificate2 LoadOne(string path, string? keyPath, string? password, string setting)
    {
        X509Certificate2 certificate;
        try
        {
            var extension = Path.GetExtension(path);
            certificate = extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase)
                ? X509CertificateLoader.LoadPkcs12FromFile(path, password)
                : string.IsNullOrEmpty(password)
                    ? X509Certificate2.CreateFromPemFile(path, keyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(path, password, keyPath);
        }
        catch (Exception e) when (e is CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The message names the setting and the file, never the password.
            throw new InvalidOperationException($"{setting} ('{path}') cannot be loaded as a certificate with its private key: {e.Message}", e);
        }
        if (certificate.GetRSAPrivateKey() is null)
        {
            throw new InvalidOperationException($"{setting} ('{path}') has no RSA private key: the data-protection keys need one to be decrypted.");
        }
        return certificate;
    }
}
