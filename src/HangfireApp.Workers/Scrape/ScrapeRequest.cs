using System.Text.Json;
using HangfireApp.Batches.Submit;

namespace HangfireApp.Workers.Scrape;

/// <summary>The body of <c>POST /api/scrape</c>. <see cref="Urls"/> stays raw JSON so that a wrong shape is a 400 naming it.</summary>
public sealed record ScrapeRequest(JsonElement? Urls, FollowLinksRequest? FollowLinks, int? ChunkSize, string? Priority, string? Description);

public sealed record FollowLinksRequest(bool? SameHostOnly, int? MaxDepth, int? MaxPages);

/// <summary>Turns a scrape request into batch items, or refuses it naming the field (nothing is written).</summary>
public static class ScrapeRequests
{
    /// <summary>One item per distinct URL, in the order given.</summary>
    /// <exception cref="BatchRequestException">The request is invalid; its errors name the fields (<c>urls[3]</c>, <c>followLinks.maxDepth</c>).</exception>
    public static IReadOnlyList<JsonElement> ToItems(ScrapeRequest request, ScrapeOptions options)
    {
        var errors = new Dictionary<string, string[]>();
        var urls = new List<string>();
        if (request.Urls is not { ValueKind: JsonValueKind.Array } array)
        {
            errors["urls"] = ["urls must be a JSON array of http or https URLs."];
        }
        else if (array.GetArrayLength() == 0)
        {
            errors["urls"] = ["urls must not be empty."];
        }
        else if (array.GetArrayLength() > options.MaxUrlsPerRequest)
        {
            errors["urls"] = [$"At most {options.MaxUrlsPerRequest} URLs per request (got {array.GetArrayLength()}); split the list."];
        }
        else
        {
            var index = 0;
            foreach (var element in array.EnumerateArray())
            {
                if (WhyInvalid(element) is { } why)
                {
                    errors[$"urls[{index}]"] = [why];
                    if (errors.Count >= 20)
                    {
                        break; // enough to show what is wrong with the list
                    }
                }
                else
                {
                    urls.Add(element.GetString()!.Trim());
                }
                index++;
            }
        }
        FollowLinks? follow = null;
        if (request.FollowLinks is { } f)
        {
            var depth = f.MaxDepth ?? 1;
            var pages = f.MaxPages ?? 20;
            if (depth < 0 || depth > options.MaxDepthLimit)
            {
                errors["followLinks.maxDepth"] = [$"maxDepth must be between 0 and {options.MaxDepthLimit}."];
            }
            if (pages < 1 || pages > options.MaxPagesLimit)
            {
                errors["followLinks.maxPages"] = [$"maxPages must be between 1 and {options.MaxPagesLimit}."];
            }
            follow = new FollowLinks(f.SameHostOnly ?? true, depth, pages);
        }
        if (errors.Count > 0)
        {
            throw new BatchRequestException("The scrape request is invalid.", errors);
        }
        return [.. urls.Distinct(StringComparer.Ordinal).Select(url => JsonSerializer.SerializeToElement(new ScrapeItem(url, follow), ScrapeHandler.Json))];
    }

    private static string? WhyInvalid(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.String)
        {
            return "Each URL must be a string.";
        }
        var text = element.GetString()!.Trim();
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri))
        {
            return $"'{Shorten(text)}' is not an absolute URL.";
        }
        if (uri.Scheme is not ("http" or "https"))
        {
            return $"Only http and https URLs can be scraped, not '{uri.Scheme}'.";
        }
        if (uri.UserInfo.Length > 0)
        {
            return "URLs must not carry credentials (user:password@).";
        }
        return text.Length > 2048 ? "A URL is at most 2048 characters." : null;
    }

    private static string Shorten(string text) => text.Length <= 80 ? text : text[..80] + "…";
}
