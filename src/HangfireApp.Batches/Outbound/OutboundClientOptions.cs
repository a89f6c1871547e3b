using System.Net;

namespace HangfireApp.Batches.Outbound;

/// <summary>
/// One outbound HTTP client's policy, bound from the section its module names (e.g. <c>WorkerTypes:rows</c>,
/// <c>WorkerTypes:packages:Http</c>, <c>Webhooks</c>); the module sets its defaults first. The address rules are the
/// same for every client (<see cref="AddressRules"/>); only the exceptions differ.
/// </summary>
public sealed class OutboundClientOptions
{
    /// <summary>Connect to private, loopback, link-local and other non-public addresses too (a trusted network's own APIs).</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Networks allowed although not public, as <c>address/prefix</c> or one address: <c>10.1.2.0/24</c>, <c>127.0.0.1</c>, <c>::1</c>.</summary>
    public List<string> AllowedNetworks { get; set; } = [];

    /// <summary>Tries of one request in all (1: no retry). 5xx, 408, 429 and network errors are tried again.</summary>
    public int MaxAttempts { get; set; } = 1;

    /// <summary>The first back-off; each further one doubles, with jitter. A <c>Retry-After</c> replaces it.</summary>
    public TimeSpan BackoffBase { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A 429 asking to wait longer than this is not retried here: the caller gets the 429.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The limit of one try (null: none, the caller's deadline covers the call); a try over it is retried.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Follow redirects here, each hop checked (false: the caller follows them itself, as scrape does).</summary>
    public bool FollowRedirects { get; set; } = true;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>Why the options cannot work, naming the setting under <paramref name="section"/>; null when they can.</summary>
    public string? Validate(string section)
    {
        foreach (var network in AllowedNetworks)
        {
            if (AddressRules.ParseNetwork(network) is null)
            {
                return $"{section}:AllowedNetworks has '{network}', which is not an address or address/prefix network.";
            }
        }
        if (MaxAttempts < 1 || BackoffBase < TimeSpan.Zero || MaxRetryAfter < TimeSpan.Zero || MaxRedirects is < 0 or > 20 || Timeout <= TimeSpan.Zero)
        {
            return $"{section}: MaxAttempts must be at least 1, BackoffBase and MaxRetryAfter not negative, MaxRedirects 0 to 20, Timeout positive.";
        }
        return null;
    }

    internal IReadOnlyList<(IPAddress Network, int Prefix)> ParsedNetworks() =>
        [.. AllowedNetworks.Select(text => AddressRules.ParseNetwork(text)!.Value)];
}
