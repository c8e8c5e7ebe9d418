using System.Diagnostics;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Recur.Serve.Api;
using Recur.Serve.Models;

namespace Recur.Serve.Hosting;

/// <summary>
/// The outermost middleware: times and counts every request, logs one structured line for it, and
/// turns a <see cref="RequestException"/> (or a framework's bad-request exception) into a problem
/// document; any other exception is a 500 problem that says no more than that, and is logged.
/// </summary>
internal sealed partial class RequestPipeline(RequestDelegate next, ServeContext context, ModelCatalog models, ILogger<RequestPipeline> logger)
{
    public async Task InvokeAsync(HttpContext http)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await next(http).ConfigureAwait(false);
        }
        catch (RequestException e) when (!http.Response.HasStarted)
        {
            await ProblemWriter.WriteAsync(http, e).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!http.Response.HasStarted)
        {
            await ProblemWriter.WriteAsync(http, new RequestException(e.StatusCode, "bad-request", "The request is malformed", e.Message)).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (http.RequestAborted.IsCancellationRequested)
        {
            // The client went away (or the request timed out after its answer had started).
        }
        catch (Exception e) when (!http.Response.HasStarted)
        {
            LogFailure(logger, e, http.Request.Method, http.Request.Path.Value ?? "");
            await ProblemWriter.WriteAsync(http, new RequestException(500, "internal-error", "The server failed to answer",
                "An unexpected error occurred; it has been logged.")).ConfigureAwait(false);
        }
        finally
        {
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            var route = http.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName ?? "other";
            var model = http.GetRouteValue("name") is string n && models.Contains(n) ? n : "";
            int status = http.Response.StatusCode;
            context.Metrics.Request(route, model, status, seconds);
            if (logger.IsEnabled(LogLevel.Information)) LogRequest(logger, http.Request.Method, http.Request.Path.Value ?? "", status, route, model, seconds * 1000);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {Status} {Route} {Model} {ElapsedMs:0.0} ms")]
    private static partial void LogRequest(ILogger logger, string method, string path, int status, string route, string model, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void LogFailure(ILogger logger, Exception e, string method, string path);
}
