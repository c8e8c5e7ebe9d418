using Microsoft.AspNetCore.Http;
using Recur.Serve.Api;

namespace Recur.Serve.Models;

/// <summary>
/// How one task is served over HTTP: it reads the task's request, checks it against the server's
/// limits and the model, runs the model (micro-batched) through the task's predictor interface and
/// writes the task's answer. There is one subclass per task; a model's loader picks it, so adding a
/// task adds a class and edits no list here.
/// </summary>
public abstract class TaskEndpoint : IAsyncDisposable
{
    /// <summary>Creates the endpoint of model <paramref name="model"/>.</summary>
    protected TaskEndpoint(string model, ServeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        Model = model;
        Context = context;
    }

    /// <summary>The served model's name (metrics label).</summary>
    public string Model { get; }

    /// <summary>Settings and metrics.</summary>
    protected ServeContext Context { get; }

    /// <summary>The task's name, as in <c>task.json</c>.</summary>
    public abstract string Task { get; }

    /// <summary>The type that documents the request body in the OpenAPI document.</summary>
    public abstract Type RequestType { get; }

    /// <summary>The type that documents the answer in the OpenAPI document.</summary>
    public abstract Type ResponseType { get; }

    /// <summary>Answers <c>POST /v1/models/NAME:predict</c>.</summary>
    public abstract Task PredictAsync(HttpContext http, JsonRequest request, CancellationToken cancellation);

    /// <summary>True when the model keeps stateful streams.</summary>
    public virtual bool HasStreams => false;

    /// <summary>The state of a new stream, from the (optional) body of <c>POST .../streams</c>.</summary>
    public virtual object OpenStream(JsonRequest request) => throw NoStreams();

    /// <summary>Feeds a step of a stream and returns the answer to serialise.</summary>
    public virtual Task<object> StepAsync(object state, JsonRequest request, CancellationToken cancellation) => throw NoStreams();

    private RequestException NoStreams()
        => new(StatusCodes.Status400BadRequest, "no-streams", "The model has no stateful streams",
            $"Model '{Model}' ({Task}) keeps no state between requests; streams are for models that read one step at a time (charlm).");

    /// <summary>Stops the model's batchers after the queued requests.</summary>
    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the task's batchers after the queued requests.</summary>
    protected abstract ValueTask DisposeCoreAsync();

    /// <summary>Writes <paramref name="value"/> as the JSON answer.</summary>
    protected static Task WriteJsonAsync(HttpContext http, object value)
        => Results.Json(value, ServeJson.Options).ExecuteAsync(http);
}
