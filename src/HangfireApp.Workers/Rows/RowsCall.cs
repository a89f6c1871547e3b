using System.Text.Json;
using System.Text.Json.Serialization;

namespace HangfireApp.Workers.Rows;

/// <summary>
/// The enrichment call of a <c>rows</c> batch: the <c>call</c> part of <c>POST /api/rows/csv</c>. After
/// <see cref="RowsCallValidation.Normalize"/> every optional setting holds its effective value; stored once per
/// batch in <c>app.rows_calls</c> with the values of secret headers removed (see <see cref="SecretProtector"/>).
/// </summary>
public sealed record RowsCall
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The request URL with <c>{column}</c> placeholders (see <see cref="Rows.UrlTemplate"/>).</summary>
    public string? UrlTemplate { get; init; }

    /// <summary>GET (default), POST, PUT, PATCH or DELETE.</summary>
    public string? Method { get; init; }

    public IReadOnlyList<RowsHeader>? Headers { get; init; }

    /// <summary>Columns sent with each request: a JSON object body for POST/PUT/PATCH, query parameters for GET/DELETE.</summary>
    public IReadOnlyList<string>? Send { get; init; }

    /// <summary>Columns to add, each read from the JSON response by a JSON pointer; none: the response is flattened.</summary>
    public IReadOnlyList<RowsColumn>? Columns { get; init; }

    /// <summary>Requests per second for the whole batch across every host; none: unlimited.</summary>
    public double? RequestsPerSecond { get; init; }

    /// <summary>Requests that may go out at once after a quiet spell, under <see cref="RequestsPerSecond"/>.</summary>
    public int? Burst { get; init; }

    /// <summary>Requests of the batch in flight at once, per host.</summary>
    public int? MaxInFlight { get; init; }

    /// <summary>Time limit of one request, redirects and body included.</summary>
    public double? TimeoutSeconds { get; init; }

    /// <summary>A chunk writes a progress line to its console every this many rows.</summary>
    public int? ProgressEvery { get; init; }

    /// <summary>This call as it may be shown and stored: every secret header's value removed.</summary>
    public RowsCall Redacted() => this with { Headers = Headers?.Select(h => h.Secret ? h with { Value = null } : h).ToList() };

    /// <summary>Whether the method sends <see cref="Send"/> as a JSON body (otherwise as query parameters).</summary>
    [JsonIgnore]
    public bool HasBody => Method is "POST" or "PUT" or "PATCH";
}

/// <summary>A request header. A secret one's value is encrypted at rest, never logged and never returned.</summary>
public sealed record RowsHeader(string? Name, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Value, bool Secret = false);

/// <summary>An added output column: its name and the JSON pointer (RFC 6901) that reads it from the response.</summary>
public sealed record RowsColumn(string? Name, [property: JsonPropertyName("pointer")] string? Location);
