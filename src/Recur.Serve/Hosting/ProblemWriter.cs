using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Recur.Serve.Api;

namespace Recur.Serve.Hosting;

/// <summary>Writes RFC 9457 problem documents (<c>application/problem+json</c>).</summary>
internal static class ProblemWriter
{
    public static Task WriteAsync(HttpContext http, RequestException e)
    {
        var problem = new ProblemDetails
        {
            Type = "urn:recur:problem:" + e.Kind,
            Title = e.Title,
            Status = e.Status,
            Detail = e.Message,
            Instance = http.Request.Path,
        };
        if (e.Field is not null) problem.Extensions["field"] = e.Field;
        if (e.Limit is not null) problem.Extensions["limit"] = e.Limit;
        if (e.RetryAfterSeconds is { } s) http.Response.Headers.RetryAfter = s.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Results.Problem(problem).ExecuteAsync(http);
    }
}
