using System.Text;

namespace HangfireApp.Auth;

/// <summary>
/// <c>dotnet run --project src/HangfireApp -- hash-password [password]</c>: prints the hash for <c>Auth:Users:N:PasswordHash</c>.
/// Without an argument it reads the password from the terminal without echoing it (or one line from piped stdin),
/// which keeps it out of the shell history.
/// </summary>
public static class HashPasswordVerb
{
    public const string Name = "hash-password";

    public static int Run(string[] arguments)
    {
        var password = arguments.Length > 0 ? arguments[0] : ReadPassword();
        if (string.IsNullOrEmpty(password))
        {
            Console.Error.WriteLine("hash-password: the password is empty.");
            return 2;
        }
        Console.Out.WriteLine(PasswordHashes.Hash(password));
        return 0;
    }

    private static string ReadPassword()
    {
        if (Console.IsInputRedirected)
        {
            return Console.In.ReadLine() ?? "";
        }
        Console.Error.Write("Password: ");
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                {
                    password.Length--;
                }
                continue;
            }
            if (!char.IsControl(key.KeyChar))
            {
                password.Append(key.KeyChar);
            }
        }
        Console.Error.WriteLine();
        return password.ToString();
    }
}
