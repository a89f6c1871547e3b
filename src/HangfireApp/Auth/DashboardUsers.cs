using System.Security.Claims;
using Microsoft.Extensions.Options;

namespace HangfireApp.Auth;

/// <summary>The dashboard users of <c>Auth:Users</c>, checked against their password hashes.</summary>
public sealed class DashboardUsers(IOptionsMonitor<AuthOptions> options)
{
    /// <summary>
    /// The user's principal (name and role claims, for the cookie scheme) when the password matches; null otherwise.
    /// An unknown name costs the same hash verification as a wrong password.
    /// </summary>
    public ClaimsPrincipal? Verify(string userName, string password)
    {
        var user = options.CurrentValue.Users.FirstOrDefault(u => string.Equals(u.Name, userName, StringComparison.OrdinalIgnoreCase));
        if (!PasswordHashes.Verify(user?.PasswordHash, password) || user is null)
        {
            return null;
        }
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Name), new Claim(ClaimTypes.Role, user.Role)],
            AuthSetup.CookieScheme, ClaimTypes.Name, ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }
}
