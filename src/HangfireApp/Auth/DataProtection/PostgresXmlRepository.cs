using System.Xml.Linq;
using HangfireApp.Batches.Logging;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace HangfireApp.Auth.DataProtection;

/// <summary>
/// The data-protection key ring in <c>app.data_protection_keys</c>, so that every host on the database protects
/// and unprotects with the same keys: a login cookie or antiforgery token made by one host works on the others.
/// The framework calls this synchronously and caches the ring (refreshing it when it meets an unknown key).
/// </summary>
internal sealed partial class PostgresXmlRepository(NpgsqlDataSource dataSource, ILogger<PostgresXmlRepository> logger) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var command = dataSource.CreateCommand("select xml from app.data_protection_keys order by id");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read())
        {
            elements.Add(XElement.Parse(reader.GetString(0)));
        }
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        if (!element.Descendants().Any(e => e.Name.LocalName == "encryptedSecret"))
        {
            LogUnencryptedKey(logger, friendlyName);
        }
        using var command = dataSource.CreateCommand("insert into app.data_protection_keys (friendly_name, xml) values (@name, @xml)");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    [LoggerMessage(EventId = LogEventIds.DataProtectionUnencryptedKey, Level = LogLevel.Warning,
        Message = "Data-protection key {KeyName} is stored unencrypted: whoever reads app.data_protection_keys can forge logins. Set Auth:DataProtection:CertificatePath")]
    private static partial void LogUnencryptedKey(ILogger logger, string keyName);
}
