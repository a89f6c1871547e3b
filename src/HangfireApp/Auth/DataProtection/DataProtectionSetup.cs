using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Auth.DataProtection;

public static class DataProtectionSetup
{
    /// <summary>The one application name every host shares: data protection isolates payloads by it.</summary>
    public const string ApplicationName = "HangfireApp";

    /// <summary>
    /// Data-protection keys in PostgreSQL under a fixed application name, shared by all hosts of the database, and
    /// encrypted at rest with the certificate of <c>Auth:DataProtection</c> when one is configured (ASP.NET Core's
    /// own XML encryption). Keys written before encryption was turned on stay readable; new ones are encrypted.
    /// </summary>
    public static WebApplicationBuilder AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        var dataProtection = builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        var settings = builder.Configuration.GetSection(KeyEncryptionSettings.Section).Get<KeyEncryptionSettings>() ?? new KeyEncryptionSettings();
        if (settings.Load() is var (current, previous))
        {
            // Decrypting looks the certificate up in the OS store unless told: these certificates come from files.
            dataProtection.ProtectKeysWithCertificate(current).UnprotectKeysWithAnyCertificate([current, .. previous]);
        }
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>(),
                    sp.GetRequiredService<ILogger<PostgresXmlRepository>>())));
        return builder;
    }
}
