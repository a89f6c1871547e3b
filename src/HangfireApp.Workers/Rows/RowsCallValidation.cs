namespace HangfireApp.Workers.Rows;

/// <summary>
/// Checks a <see cref="RowsCall"/> against the uploaded CSV's columns and the settings, collecting every problem
/// under the name of its field (<c>call.headers[1].name</c>), and fills in the defaults.
/// </summary>
public static class RowsCallValidation
{
    public static readonly IReadOnlyList<string> Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    // Set by the HTTP stack or by the body we build; a call may not override them.
    private static readonly HashSet<string> ReservedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Content-Length", "Content-Type", "Transfer-Encoding", "Connection", "Keep-Alive", "Upgrade", "TE", "Trailer",
        "Proxy-Authorization", "Proxy-Connection", "Expect",
    };

    private const int MaxHeaders = 50;
    private const int MaxHeaderValueLength = 8192;

    /// <summary>The call with its defaults, and the parsed URL template; or the problems found, by field.</summary>
    public static (RowsCall? Call, UrlTemplate? Template, Dictionary<string, string[]> Errors) Normalize(
        RowsCall call, IReadOnlyList<string> csvColumns, RowsOptions options, bool canKeepSecrets)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        void Add(string field, string message) => errors[field] = errors.TryGetValue(field, out var list) ? [.. list, message] : [message];

        UrlTemplate? template = null;
        if (string.IsNullOrWhiteSpace(call.UrlTemplate))
        {
            Add("call.urlTemplate", "urlTemplate is required: an absolute http(s) URL with {column} placeholders.");
        }
        else
        {
            try
            {
                template = UrlTemplate.Parse(call.UrlTemplate.Trim(), csvColumns);
            }
            catch (UrlTemplateException e)
            {
                Add("call.urlTemplate", e.Message);
            }
        }

        var method = (call.Method ?? "GET").Trim().ToUpperInvariant();
        if (!Methods.Contains(method))
        {
            Add("call.method", $"method must be one of {string.Join(", ", Methods)} (not '{call.Method}').");
        }

        var headers = call.Headers ?? [];
        if (headers.Count > MaxHeaders)
        {
            Add("call.headers", $"At most {MaxHeaders} headers.");
        }
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < headers.Count; i++)
        {
            var header = headers[i];
            var field = $"call.headers[{i}]";
            if (header is null)
            {
                Add(field, "A header is {\"name\", \"value\", \"secret\"?}.");
                continue;
            }
            if (string.IsNullOrEmpty(header.Name) || !header.Name.All(IsTokenChar))
            {
                Add($"{field}.name", "A header name is required and must be an HTTP token (letters, digits and !#$%&'*+-.^_`|~).");
            }
            else if (ReservedHeaders.Contains(header.Name))
            {
                Add($"{field}.name", $"The header '{header.Name}' is set by the HTTP client and may not be given.");
            }
            else if (!seen.Add(header.Name))
            {
                Add($"{field}.name", $"The header '{header.Name}' is given twice.");
            }
            // The value is never echoed in a message: it may be a secret.
            if (header.Value is null)
            {
                Add($"{field}.value", "A header value is required.");
            }
            else if (header.Value.Length > MaxHeaderValueLength || header.Value.Any(c => c is '\r' or '\n' or '\0'))
            {
                Add($"{field}.value", $"A header value is at most {MaxHeaderValueLength} characters, without line breaks or NUL.");
            }
            if (header.Secret && !canKeepSecrets)
            {
                Add($"{field}.secret", $"This server cannot keep secret headers: {RowsOptions.Section}:SecretKey is not configured.");
            }
        }

        var send = call.Send ?? [];
        for (var i = 0; i < send.Count; i++)
        {
            if (send[i] is not { } column || !csvColumns.Contains(column, StringComparer.Ordinal))
            {
                Add($"call.send[{i}]", $"'{send[i]}' is not a column of the CSV; its columns are: {string.Join(", ", csvColumns)}.");
            }
        }
        if (send.Distinct(StringComparer.Ordinal).Count() != send.Count)
        {
            Add("call.send", "A column is listed twice.");
        }

        if (call.Columns is { } columns)
        {
            if (columns.Count == 0 || columns.Count > options.MaxAddedColumns)
            {
                Add("call.columns", $"columns lists 1 to {options.MaxAddedColumns} output columns (or is left out to flatten the JSON response).");
            }
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < columns.Count; i++)
            {
                var column = columns[i];
                if (string.IsNullOrWhiteSpace(column?.Name))
                {
                    Add($"call.columns[{i}].name", "A column name is required.");
                }
                else if (csvColumns.Contains(column.Name, StringComparer.Ordinal) || column.Name == CsvOutputWriter.ErrorColumn)
                {
                    Add($"call.columns[{i}].name", $"'{column.Name}' is already a column of the output (an input column or '{CsvOutputWriter.ErrorColumn}').");
                }
                else if (!names.Add(column.Name))
                {
                    Add($"call.columns[{i}].name", $"The column '{column.Name}' is listed twice.");
                }
                if (column?.Location is not { } location || !JsonPointer.IsValid(location))
                {
                    Add($"call.columns[{i}].pointer", "A JSON pointer (RFC 6901) is required: \"\" for the whole response or \"/a/0/b\".");
                }
            }
        }

        if (call.RequestsPerSecond is { } rate && (double.IsNaN(rate) || rate <= 0 || rate > 100_000))
        {
            Add("call.requestsPerSecond", "requestsPerSecond must be above 0 and at most 100000 (or left out: no rate limit).");
        }
        if (call.Burst is { } burst && (burst < 1 || burst > 100_000 || call.RequestsPerSecond is null))
        {
            Add("call.burst", "burst is 1 to 100000 and needs requestsPerSecond.");
        }
        if (call.MaxInFlight is { } inFlight && (inFlight < 1 || inFlight > options.MaxInFlight))
        {
            Add("call.maxInFlight", $"maxInFlight must be between 1 and {options.MaxInFlight}.");
        }
        if (call.TimeoutSeconds is { } timeout && (double.IsNaN(timeout) || timeout <= 0 || timeout > options.MaxTimeout.TotalSeconds))
        {
            Add("call.timeoutSeconds", $"timeoutSeconds must be above 0 and at most {options.MaxTimeout.TotalSeconds:0.###}.");
        }
        if (call.ProgressEvery is < 1)
        {
            Add("call.progressEvery", "progressEvery must be at least 1.");
        }

        if (errors.Count > 0)
        {
            return (null, null, errors);
        }
        var normalized = call with
        {
            UrlTemplate = call.UrlTemplate!.Trim(),
            Method = method,
            Headers = headers,
            Send = send,
            Burst = call.RequestsPerSecond is null ? null : call.Burst ?? 1,
            MaxInFlight = call.MaxInFlight ?? options.DefaultMaxInFlight,
            TimeoutSeconds = call.TimeoutSeconds ?? options.DefaultTimeout.TotalSeconds,
            ProgressEvery = call.ProgressEvery ?? options.ProgressEvery,
        };
        return (normalized, template, errors);
    }

    // RFC 9110 tchar.
    private static bool IsTokenChar(char c) => char.IsAsciiLetterOrDigit(c) || "!#$%&'*+-.^_`|~".Contains(c, StringComparison.Ordinal);
}
