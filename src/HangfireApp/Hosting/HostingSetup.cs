using HangfireApp.Batches.Database;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Options;

namespace HangfireApp.Hosting;

public static class HostingSetup
{
    /// <summary>
    /// Reads the repository's one <c>appsettings.json</c>, copied next to the binary, wherever the host is
    /// started from. It goes first, so environment variables, the command line and tests override it.
    /// </summary>
    public static WebApplicationBuilder AddRootConfigurationFile(this WebApplicationBuilder builder)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        var source = new JsonConfigurationSource { Path = path, Optional = true, ReloadOnChange = false };
        source.ResolveFileProvider();
        builder.Configuration.Sources.Insert(0, source);
        return builder;
    }

    /// <summary>Role and database settings, validated when the host starts.</summary>
    public static WebApplicationBuilder AddAppOptions(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AppOptions>().BindConfiguration(AppOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<AppOptions>, AppOptionsValidator>();
        builder.Services.AddAppDatabase(builder.Configuration);
        return builder;
    }

    /// <summary>The role as configured now; used to decide what to register before the host is built.</summary>
    public static AppOptions ReadAppOptions(this WebApplicationBuilder builder) =>
        builder.Configuration.GetSection(AppOptions.Section).Get<AppOptions>() ?? new AppOptions();
}
