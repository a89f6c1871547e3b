using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using HangfireApp.Batches.Audit;
using System.Text.Json;
using HangfireApp.Batches.Modules;
using HangfireApp.Batches;
using HangfireApp.Batches.Input;
using HangfireApp.Batches.Submit;
using HangfireApp.Workers.Packages.Advisories;
using HangfireApp.Workers.Packages.Scanning;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace HangfireApp.Workers.Packages;

/// <summary>The <c>packages</c> worker type's API: register packages (a list or a CycloneDX SBOM), list them with
/// their findings, put failed ones back to pending, import OSV advisories.</summary>
internal static class PackagesApi
{
    public const string CycloneDxJson = "application/vnd.cyclonedx+json";

    public static void Map(IEndpointRouteBuilder api)
    {
        var group = api.MapGroup("").WithTags("Packages");
        group.MapPost("/packages", RegisterAsync).RequireAuthorization(ApiPolicies.Operator).Audited(PackagesAuditActions.Register);
        group.MapGet("/packages", ListAsync).RequireAuthorization(ApiPolicies.Viewer);
        group.MapPost("/packages/rerun-failed", RerunFailedAsync).RequireAuthorization(ApiPolicies.Operator).Audited(PackagesAuditActions.RerunFailed);
        group.MapPost("/advisories/import", ImportAsync).RequireAuthorization(ApiPolicies.Operator).Audited(PackagesAuditActions.AdvisoriesImport);
    }

    /// <summary>
    /// <c>application/json</c>: <c>[{ecosystem, name, version, priority?}]</c>, <c>{packages: [...]}</c> or a CycloneDX
    /// document (it has <c>bomFormat: "CycloneDX"</c>); <c>application/vnd.cyclonedx+json</c>: an SBOM;
    /// <c>multipart/form-data</c>: SBOM or list files. <c>?priority=</c> applies to SBOM components.
    /// </summary>
    private static async Task<Ok<RegisterResult>> RegisterAsync(HttpRequest request, string? priority, PackageStore store, CancellationToken cancellationToken)
    {
        var inputs = new List<PackageInput?>();
        var skipped = new List<string>();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            if (form.Files.Count == 0)
            {
                throw BatchRequestException.Field("file", "Upload at least one file (a CycloneDX JSON SBOM or a JSON list of packages).");
            }
            foreach (var file in form.Files)
            {
                await using var stream = file.OpenReadStream();
                var (packages, skippedHere) = await ReadPackagesAsync(stream, file.FileName, priority, cancellationToken);
                inputs.AddRange(packages);
                skipped.AddRange(skippedHere);
            }
        }
        else if (IsJson(request.ContentType))
        {
            var (packages, skippedHere) = await ReadPackagesAsync(request.Body, "body", priority, cancellationToken);
            inputs.AddRange(packages);
            skipped.AddRange(skippedHere);
        }
        else
        {
            throw new BatchRequestException("Unsupported content type.",
                new Dictionary<string, string[]> { ["Content-Type"] = [$"Send application/json, {CycloneDxJson} or multipart/form-data (not '{request.ContentType}')."] }, 415);
        }
        var valid = PackageRegistration.Validate(inputs);
        return TypedResults.Ok(await store.RegisterAsync(valid, inputs.Count, skipped, cancellationToken));
    }

    private static async Task<Results<Ok<PackagePage>, ProblemHttpResult>> ListAsync(
        string? status, string? q, int? page, PackageStore store, IOptions<BatchLimitsOptions> limits, CancellationToken cancellationToken)
    {
        if (status is not null && !PackageStore.Statuses.Contains(status))
        {
            return BadQuery("status", $"status must be one of {string.Join(", ", PackageStore.Statuses)}.");
        }
        if (page is < 1)
        {
            return BadQuery("page", "page starts at 1.");
        }
        return TypedResults.Ok(await store.ListAsync(status, q, page ?? 1, limits.Value.PageSize, cancellationToken));
    }

    private static async Task<Ok<RerunFailedResult>> RerunFailedAsync(RerunFailedBody? body, PackageStore store, CancellationToken cancellationToken) =>
        TypedResults.Ok(new RerunFailedResult(await store.RerunFailedAsync(body?.Ids, cancellationToken)));

    /// <summary><c>application/json</c>: one OSV record or an array; <c>application/zip</c>: a zip of records;
    /// <c>multipart/form-data</c>: any of those as files.</summary>
    private static async Task<Ok<ImportResult>> ImportAsync(HttpRequest request, AdvisoryImporter importer, AdvisoryCacheWarmer warmer, CancellationToken cancellationToken)
    {
        await using var import = importer.Begin();
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            if (form.Files.Count == 0)
            {
                throw BatchRequestException.Field("file", "Upload at least one file (OSV JSON or a zip of OSV records).");
            }
            foreach (var file in form.Files)
            {
                await using var stream = file.OpenReadStream();
                await (IsZip(file.ContentType, file.FileName) ? import.AddZipAsync(stream, cancellationToken) : import.AddJsonAsync(stream, cancellationToken));
            }
        }
        else if (IsZip(request.ContentType, null))
        {
            await import.AddZipAsync(request.Body, cancellationToken);
        }
        else if (IsJson(request.ContentType))
        {
            await import.AddJsonAsync(request.Body, cancellationToken);
        }
        else
        {
            throw new BatchRequestException("Unsupported content type.",
                new Dictionary<string, string[]> { ["Content-Type"] = [$"Send application/json, application/zip or multipart/form-data (not '{request.ContentType}')."] }, 415);
        }
        var result = await import.CompleteAsync(cancellationToken);
        if (result.Inserted + result.Updated > 0)
        {
            warmer.Request(); // after the commit: the scans that follow find the new records compiled
        }
        return TypedResults.Ok(result);
    }

    private static async Task<(IReadOnlyList<PackageInput?> Packages, IReadOnlyList<string> Skipped)> ReadPackagesAsync(Stream stream, string source, string? priority, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException e)
        {
            throw BatchRequestException.Field(source, $"{source} is not valid JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            // A file part is not checked at the API's entry as a JSON body is: the same text rule, here.
            if (JsonElementText.Problem(root, source) is { } textProblem)
            {
                throw BatchRequestException.Field(textProblem.Path, $"{textProblem.Path} {textProblem.Message}");
            }
            if (SbomRegistration.IsCycloneDx(root))
            {
                return SbomRegistration.Read(root, source, priority);
            }
            var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("packages", out var packages) ? packages : root;
            if (list.ValueKind != JsonValueKind.Array)
            {
                throw BatchRequestException.Field(source, $"{source} must be a JSON array of packages, {{\"packages\": [...]}} or a CycloneDX SBOM.");
            }
            try
            {
                return (list.Deserialize<List<PackageInput?>>(PackageItem.Json) ?? [], []);
            }
            catch (JsonException e)
            {
                throw BatchRequestException.Field(source, $"{source}: {e.Message}");
            }
        }
    }

    private static bool IsJson(string? contentType) =>
        contentType is not null && (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith(CycloneDxJson, StringComparison.OrdinalIgnoreCase)
            || contentType.Contains("+json", StringComparison.OrdinalIgnoreCase));

    private static bool IsZip(string? contentType, string? fileName) =>
        (contentType is not null && (contentType.StartsWith("application/zip", StringComparison.OrdinalIgnoreCase)
            || contentType.StartsWith("application/x-zip", StringComparison.OrdinalIgnoreCase)))
        || (fileName?.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) ?? false);

    private static ProblemHttpResult BadQuery(string field, string message) =>
        TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = 400, Title = "The request is invalid.",
        });
}

/// <summary>The body of <c>POST /api/packages/rerun-failed</c>: the packages to rerun (default: every failed one).</summary>
public sealed record RerunFailedBody(List<long>? Ids);

public sealed record RerunFailedResult(int Pending);
