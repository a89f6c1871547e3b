using Microsoft.AspNetCore.Identity;

namespace HangfireApp.Auth;

/// <summary>
/// Dashboard passwords, hashed with ASP.NET Core's <see cref="PasswordHasher{TUser}"/> (PBKDF2 with a salt and
/// an iteration count inside the hash), so <c>Auth:Users</c> holds no password.
/// </summary>
public static class PasswordHashes
{
    private static readonly PasswordHasher<string> Hasher = new();

    // Verified instead when the user name is unknown, so that an unknown name costs as long as a wrong
    // password and response times do not reveal which names exist.
    private static readonly string DecoyHash = Hasher.HashPassword("", Guid.NewGuid().ToString("N"));

    public static string Hash(string password) => Hasher.HashPassword("", password);

    /// <summary>Whether <paramref name="password"/> matches <paramref name="hash"/>; null hash: the decoy, always false.</summary>
    public static bool Verify(string? hash, string password)
    {
        var result = Hasher.VerifyHashedPassword("", hash ?? DecoyHash, password);
        return hash is not null && result is PasswordVerificationResult.Success or PasswordVerificationResult.SuccessRehashNeeded;
    }

    /// <summary>A v2 (0x00) or v3 (0x01) hash of the password hasher: base64 with a format marker.</summary>
    public static bool LooksValid(string hash)
    {
        var bytes = new byte[hash.Length];
        return Convert.TryFromBase64String(hash, bytes, out var length) && length > 16 && bytes[0] is 0x00 or 0x01;
    }
}
