namespace HangfireApp.Workers.Packages;

/// <summary>One package version to scan: an OSV ecosystem name (<c>npm</c>, <c>PyPI</c>, …), a name, a version.</summary>
public sealed record PackageRef(string Ecosystem, string Name, string Version);
