using Microsoft.AspNetCore.Http;

namespace Recur.Serve.Api;

/// <summary>
/// A request the server cannot answer as asked. It becomes an RFC 9457 problem document with the
/// status, a title, the detail, the offending <see cref="Field"/> (a JSON path such as
/// <c>history[3]</c>) and, for a limit, the <see cref="Limit"/>.
/// </summary>
public sealed class RequestException(int status, string kind, string title, string detail, string? field = null, object? limit = null) : Exception(detail)
{
    /// <summary>The HTTP status (4xx; 503 for a full queue).</summary>
    public int Status { get; } = status;

    /// <summary>A short slug for the problem type URI (<c>urn:recur:problem:KIND</c>).</summary>
    public string Kind { get; } = kind;

    /// <summary>What kind of problem, the same for every occurrence.</summary>
    public string Title { get; } = title;

    /// <summary>The JSON field at fault, or null.</summary>
    public string? Field { get; } = field;

    /// <summary>The limit that was exceeded, or null.</summary>
    public object? Limit { get; } = limit;

    /// <summary>Seconds after which a refused request may be retried (a full queue, the stream cap), or null.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>A required field is absent.</summary>
    public static RequestException Missing(string field, string expected)
        => new(StatusCodes.Status400BadRequest, "missing-field", "A required field is missing", $"'{field}' is required: {expected}.", field);

    /// <summary>A field has the wrong JSON type.</summary>
    public static RequestException WrongType(string field, string expected, string actual)
        => new(StatusCodes.Status400BadRequest, "wrong-type", "A field has the wrong type", $"'{field}' is {actual}; expected {expected}.", field);

    /// <summary>A value is outside what the model or the server accepts.</summary>
    public static RequestException Invalid(string field, string detail, object? limit = null)
        => new(StatusCodes.Status422UnprocessableEntity, "invalid-value", "A field has a value the model cannot use", detail, field, limit);

    /// <summary>A value is longer or larger than a server limit.</summary>
    public static RequestException OverLimit(string field, string detail, object limit)
        => new(StatusCodes.Status422UnprocessableEntity, "over-limit", "A field exceeds a server limit", detail, field, limit);
}
