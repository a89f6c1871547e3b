using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HangfireApp.Auth.DataProtection;

public static class DataProtectionSetup
{
    /// <summary>The one application name every host shares: data protection isolates payloads by it.</summary>
    public const string ApplicationName = "HangfireApp";

    /// <summary>Data-protection keys in PostgreSQL under a fixed application name, shared by all hosts of the database.</summary>
    public static WebApplicationBuilder AddSharedDataProtection(this WebApplicationBuilder builder)
    {
        builder.Services.AddDataProtection().SetApplicationName(ApplicationName);
        builder.Services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp =>
            new ConfigureOptions<KeyManagementOptions>(options =>
                options.XmlRepository = new PostgresXmlRepository(sp.GetRequiredService<NpgsqlDataSource>())));
        return builder;
    }
}
