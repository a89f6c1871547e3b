using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// Encrypts the secret header values of a call (AES-256-GCM, a fresh 12-byte nonce per batch, the batch id as
/// associated data so a ciphertext copied to another batch does not decrypt). The key comes from
/// <c>WorkerTypes:rows:SecretKey</c>; the database only ever holds nonce, tag and ciphertext.
/// </summary>
public sealed class SecretProtector(IOptions<RowsOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public bool HasKey => options.Value.SecretKey is not null;

    /// <summary>The key, or null when <paramref name="base64"/> is not 32 bytes of base64.</summary>
    public static byte[]? TryParseKey(string base64)
    {
        var buffer = new byte[48];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var length) && length == 32 ? buffer[..32] : null;
    }

    public byte[] Protect(long batchId, IReadOnlyDictionary<string, string> secrets)
    {
        var plain = JsonSerializer.SerializeToUtf8Bytes(secrets);
        var output = new byte[NonceSize + TagSize + plain.Length];
        var nonce = output.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(), TagSize);
        aes.Encrypt(nonce, plain, output.AsSpan(NonceSize + TagSize), output.AsSpan(NonceSize, TagSize), AssociatedData(batchId));
        CryptographicOperations.ZeroMemory(plain);
        return output;
    }

    /// <exception cref="CryptographicException">The key changed since the batch was submitted, or the data was altered.</exception>
    public Dictionary<string, string> Unprotect(long batchId, byte[] protectedSecrets)
    {
        var plain = new byte[protectedSecrets.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key(), TagSize);
        aes.Decrypt(protectedSecrets.AsSpan(0, NonceSize), protectedSecrets.AsSpan(NonceSize + TagSize),
            protectedSecrets.AsSpan(NonceSize, TagSize), plain, AssociatedData(batchId));
        var secrets = JsonSerializer.Deserialize<Dictionary<string, string>>(plain) ?? [];
        CryptographicOperations.ZeroMemory(plain);
        return secrets;
    }

    private byte[] Key() =>
        options.Value.SecretKey is { } text && TryParseKey(text) is { } key
            ? key
            : throw new CryptographicException($"{RowsOptions.Section}:SecretKey is not set on this host: it cannot use the secret headers of a rows batch.");

    private static byte[] AssociatedData(long batchId) => BitConverter.GetBytes(batchId);
}
