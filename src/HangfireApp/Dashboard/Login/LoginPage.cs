using System.Text.Encodings.Web;

namespace HangfireApp.Dashboard.Login;

/// <summary>The login and sign-out pages: small static HTML, every dynamic value HTML-encoded.</summary>
internal static class LoginPage
{
    private const string Style = """
        body{font-family:"Helvetica Neue",Helvetica,Arial,sans-serif;background:#f5f5f5;margin:0;color:#333}
        main{max-width:360px;margin:10vh auto;background:#fff;border:1px solid #ddd;border-radius:6px;padding:28px 32px}
        h1{font-size:22px;font-weight:400;margin:0 0 20px}
        label{display:block;font-size:14px;margin:14px 0 4px}
        input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:8px;font-size:15px;border:1px solid #ccc;border-radius:4px}
        button{margin-top:20px;width:100%;padding:9px;font-size:15px;color:#fff;background:#337ab7;border:1px solid #2e6da4;border-radius:4px;cursor:pointer}
        .alert{padding:10px 12px;border-radius:4px;font-size:14px;margin-bottom:8px}
        .alert-danger{background:#f2dede;color:#a94442;border:1px solid #ebccd1}
        .alert-info{background:#d9edf7;color:#31708f;border:1px solid #bce8f1}
        """;

    public static string Login(string action, string returnUrl, string userName, string? error, string? info, string tokenField, string token) =>
        Page("Sign in · HangfireApp", $"""
            <h1>HangfireApp</h1>
            {Alert("alert-danger", error)}{Alert("alert-info", info)}
            <form id="login" method="post" action="{Encode(action)}">
              <input type="hidden" name="{Encode(tokenField)}" value="{Encode(token)}">
              <input type="hidden" name="returnUrl" value="{Encode(returnUrl)}">
              <label for="username">User name</label>
              <input id="username" name="username" type="text" autocomplete="username" value="{Encode(userName)}" autofocus required maxlength="200">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required>
              <button type="submit">Sign in</button>
            </form>
            """);

    public static string Logout(string action, string userName, string tokenField, string token) =>
        Page("Sign out · HangfireApp", $"""
            <h1>Sign out</h1>
            <p>Signed in as <strong id="current-user">{Encode(userName)}</strong>.</p>
            <form id="logout" method="post" action="{Encode(action)}">
              <input type="hidden" name="{Encode(tokenField)}" value="{Encode(token)}">
              <button type="submit">Sign out</button>
            </form>
            """);

    private static string Page(string title, string body) => $"""
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{Encode(title)}</title><style>{Style}</style></head>
        <body><main>{body}</main></body></html>
        """;

    private static string Alert(string kind, string? message) =>
        message is null ? "" : $"""<div class="alert {kind}" role="alert">{Encode(message)}</div>""";

    private static string Encode(string value) => HtmlEncoder.Default.Encode(value);
}
