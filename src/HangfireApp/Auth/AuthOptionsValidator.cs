using Microsoft.Extensions.Options;

namespace HangfireApp.Auth;

/// <summary>Checks <c>Auth</c> at start; each message names the setting to fix, and never shows a secret.</summary>
internal sealed class AuthOptionsValidator : IValidateOptions<AuthOptions>
{
    public ValidateOptionsResult Validate(string? name, AuthOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            if (!Roles.All.Contains(key.Role))
            {
                errors.Add($"Auth:ApiKeys:{i}:Role must be viewer, operator or admin (it is '{key.Role}').");
            }
            if (key.Sha256.Length != 64)
            {
                errors.Add($"Auth:ApiKeys:{i}:Sha256 must be the key's 64-character hex SHA-256.");
            }
        }
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            if (string.IsNullOrWhiteSpace(user.Name))
            {
                errors.Add($"Auth:Users:{i}:Name is required.");
            }
            else if (!names.Add(user.Name))
            {
                errors.Add($"Auth:Users:{i}:Name '{user.Name}' is listed twice (names are case-insensitive).");
            }
            if (!Roles.All.Contains(user.Role))
            {
                errors.Add($"Auth:Users:{i}:Role must be viewer, operator or admin (it is '{user.Role}').");
            }
            if (string.IsNullOrWhiteSpace(user.PasswordHash))
            {
                errors.Add($"Auth:Users:{i}:PasswordHash is empty: make one with `dotnet run --project src/HangfireApp -- hash-password`.");
            }
            else if (!PasswordHashes.LooksValid(user.PasswordHash))
            {
                errors.Add($"Auth:Users:{i}:PasswordHash is not an ASP.NET Core password hash: make one with `dotnet run --project src/HangfireApp -- hash-password`.");
            }
        }
        var login = options.Login;
        if (login.MaxFailuresPerUser < 1 || login.MaxFailuresPerAddress < 1)
        {
            errors.Add("Auth:Login:MaxFailuresPerUser and Auth:Login:MaxFailuresPerAddress must be at least 1.");
        }
        if (login.Window <= TimeSpan.Zero || login.Lockout <= TimeSpan.Zero || login.MaxLockout < login.Lockout)
        {
            errors.Add("Auth:Login:Window and Auth:Login:Lockout must be positive and Auth:Login:MaxLockout at least Lockout.");
        }
        if (login.UserDelay < TimeSpan.Zero || login.MaxUserDelay < login.UserDelay || login.MaxUserDelay > TimeSpan.FromMinutes(1))
        {
            errors.Add("Auth:Login:UserDelay must not be negative and Auth:Login:MaxUserDelay must be at least UserDelay and at most a minute (it holds the request).");
        }
        if (login.CookieLifetime <= TimeSpan.Zero)
        {
            errors.Add("Auth:Login:CookieLifetime must be positive.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
