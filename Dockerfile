# Multi-stage: build with the SDK, run on the ASP.NET runtime as a non-root user, listening on 8080.
# The same image runs every role: set App__Role=web|worker|all.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig appsettings.json HangfireApp.sln ./
COPY migrations/ migrations/
COPY src/ src/
RUN dotnet publish src/HangfireApp/HangfireApp.csproj -c Release -o /app --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
# The aspnet image ships an unprivileged `app` user (uid 1654).
USER app
ENTRYPOINT ["dotnet", "HangfireApp.dll"]
