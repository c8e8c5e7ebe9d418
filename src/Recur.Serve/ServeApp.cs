using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Recur.Serve.Api;
using Recur.Serve.Hosting;
using Recur.Serve.Models;
using Recur.Serve.Runs;
using Recur.Serve.Streams;
using Recur.Serve.Web;

namespace Recur.Serve;

/// <summary>
/// The <c>recur serve</c> web application: Kestrel, the <c>/v1</c> API, <c>/healthz</c>,
/// <c>/metrics</c>, the OpenAPI document at <c>/openapi/v1.json</c> and the web page at <c>/</c>.
/// </summary>
public static class ServeApp
{
    /// <summary>Builds the application for <paramref name="models"/>; <paramref name="configure"/> may change the builder (tests use a test server).</summary>
    public static WebApplication Build(ServeContext context, IReadOnlyList<ServedModel> models, Action<WebApplicationBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(models);
        var o = context.Options;
        var catalog = new ModelCatalog(models);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, Args = [] });
        builder.WebHost.UseUrls(o.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = o.MaxBodyBytes;
        });
        builder.Services.Configure<HostOptions>(h => h.ShutdownTimeout = o.ShutdownTimeout);
        builder.Logging.ClearProviders();
        if (o.JsonLogs) builder.Logging.AddJsonConsole(j => j.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ");
        else builder.Logging.AddSimpleConsole(s => { s.SingleLine = true; s.TimestampFormat = "HH:mm:ss.fff "; });
        builder.Logging.AddFilter("Microsoft", LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Information);
        builder.Services.AddSingleton(context).AddSingleton(catalog).AddSingleton<StreamRegistry>();
        if (o.RunsDirectory is { } runs) builder.Services.AddSingleton(new RunCatalog(runs));
        builder.Services.ConfigureHttpJsonOptions(j => ServeJson.Configure(j.SerializerOptions));
        builder.Services.AddProblemDetails(p => p.CustomizeProblemDetails = c =>
        {
            // Answers the framework writes itself (no route, wrong method) get the same kind of type and a detail.
            if (c.ProblemDetails.Type?.StartsWith("urn:recur:", StringComparison.Ordinal) == true) return;
            int status = c.ProblemDetails.Status ?? c.HttpContext.Response.StatusCode;
            c.ProblemDetails.Type = "urn:recur:problem:http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            c.ProblemDetails.Detail ??= status switch
            {
                StatusCodes.Status404NotFound => $"Nothing is served at {c.HttpContext.Request.Path}; the API is under /v1 (GET /v1/models lists the models).",
                StatusCodes.Status405MethodNotAllowed => $"{c.HttpContext.Request.Method} is not allowed on {c.HttpContext.Request.Path}.",
                _ => c.ProblemDetails.Title,
            };
        });
        builder.Services.AddRequestTimeouts(t => t.DefaultPolicy = new RequestTimeoutPolicy
        {
            Timeout = o.RequestTimeout,
            TimeoutStatusCode = StatusCodes.Status504GatewayTimeout,
            WriteTimeoutResponse = http => ProblemWriter.WriteAsync(http, new RequestException(StatusCodes.Status504GatewayTimeout, "timeout",
                "The request took too long", $"No answer within the server's limit of {o.RequestTimeout.TotalSeconds:0.###} s.", limit: o.RequestTimeout.TotalSeconds)),
        });
        builder.Services.AddOpenApi(api => api.AddDocumentTransformer(new ApiDocument(catalog)));
        configure?.Invoke(builder);

        var app = builder.Build();
        app.UseMiddleware<RequestPipeline>();
        app.UseStatusCodePages(); // an empty 404/405 (no route) answers with a problem document too
        app.UseRouting();
        app.UseRequestTimeouts();
        Map(app, catalog, o);
        app.Lifetime.ApplicationStopped.Register(() =>
        {
            app.Services.GetRequiredService<StreamRegistry>().Dispose();
            catalog.DisposeAsync().AsTask().GetAwaiter().GetResult();
        });
        return app;
    }

    private static void Map(WebApplication app, ModelCatalog catalog, ServeOptions o)
    {
        foreach (var file in WebPage.Files)
            app.MapGet("/" + file, () => WebPage.Serve(file)).ExcludeFromDescription().WithName("page:" + file);
        app.MapGet("/", () => WebPage.Serve("index.html")).ExcludeFromDescription().WithName("page");

        app.MapGet("/healthz", () => Results.Json(new Health("ok", catalog.All.Count()), ServeJson.Options))
            .WithName("healthz").WithSummary("Liveness: 200 while the server answers.");
        app.MapGet("/metrics", (ServeContext c) => Results.Text(c.Metrics.Render(), "text/plain; version=0.0.4; charset=utf-8"))
            .WithName("metrics").WithSummary("Prometheus metrics: requests, errors, latency, batch sizes, open streams.");
        app.MapOpenApi("/openapi/{documentName}.json").WithName("openapi");

        var v1 = app.MapGroup("/v1");
        v1.MapGet("/models", () => Results.Json(new ModelList(catalog.All.Select(m => m.Info).ToList()), ServeJson.Options))
            .WithName("models").WithSummary("The loaded models: name, task, architecture, input and output.").Produces<ModelList>();
        v1.MapGet("/models/{name}", (string name) => Results.Json(catalog.Get(name).Info, ServeJson.Options))
            .WithName("model").WithSummary("One model.").Produces<ModelInfo>().ProducesProblem(404);
        v1.MapPost("/models/{name}:predict", async (HttpContext http, string name) =>
            {
                var model = catalog.Get(name);
                var body = await JsonBody.ReadAsync(http.Request, o.MaxBodyBytes, http.RequestAborted);
                await model.Endpoint.PredictAsync(http, body, http.RequestAborted);
            })
            .WithName("predict").WithSummary("Runs a model on a task-shaped request; charlm answers as server-sent events.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(422);
        v1.MapPost("/models/{name}/streams", async (HttpContext http, string name, StreamRegistry streams) =>
            {
                var model = catalog.Get(name);
                var body = http.Request.ContentLength is 0 || (http.Request.ContentLength is null && http.Request.ContentType is null)
                    ? JsonRequest.Empty : await JsonBody.ReadAsync(http.Request, o.MaxBodyBytes, http.RequestAborted);
                var stream = streams.Open(model, body);
                return Results.Json(new StreamOpened(stream.Id, o.StreamIdleTimeout.TotalSeconds), ServeJson.Options, statusCode: StatusCodes.Status201Created);
            })
            .WithName("open-stream").WithSummary("Opens a stateful stream; its recurrent state stays on the server.").Produces<StreamOpened>(201).ProducesProblem(429);
        v1.MapPost("/models/{name}/streams/{id}:step", async (HttpContext http, string name, string id, StreamRegistry streams) =>
            {
                var stream = streams.Get(catalog.Get(name), id);
                var body = await JsonBody.ReadAsync(http.Request, o.MaxBodyBytes, http.RequestAborted);
                return Results.Json(await streams.StepAsync(stream, body, http.RequestAborted), ServeJson.Options);
            })
            .WithName("step-stream").WithSummary("Feeds new input to a stream and returns its outputs.").ProducesProblem(404);
        v1.MapDelete("/models/{name}/streams/{id}", (string name, string id, StreamRegistry streams) =>
            {
                streams.Close(streams.Get(catalog.Get(name), id));
                return Results.NoContent();
            })
            .WithName("close-stream").WithSummary("Closes a stream.").ProducesProblem(404);
        v1.MapGet("/runs", (IServiceProvider services) => Results.Json(new RunList(Runs(services).List()), ServeJson.Options))
            .WithName("runs").WithSummary("The run directories under --runs, newest first.").Produces<RunList>();
        v1.MapGet("/runs/{name}", (string name, IServiceProvider services) => Results.Json(Runs(services).History(name), ServeJson.Options))
            .WithName("run").WithSummary("A run's history.csv by column, read fresh (a training run grows).").Produces<RunHistory>().ProducesProblem(404);
    }

    private static RunCatalog Runs(IServiceProvider services)
        => services.GetService<RunCatalog>() ?? throw new RequestException(StatusCodes.Status404NotFound, "no-runs", "No runs directory",
            "The server was started without --runs DIR, so it has no training runs to show.");

    /// <summary>The answer of <c>/healthz</c>.</summary>
    public sealed record Health(string Status, int Models);

    /// <summary>The answer of <c>GET /v1/models</c>.</summary>
    public sealed record ModelList(IReadOnlyList<ModelInfo> Models);

    /// <summary>The answer of <c>POST .../streams</c>.</summary>
    public sealed record StreamOpened(string Id, double IdleTimeoutSeconds);

    /// <summary>The answer of <c>GET /v1/runs</c>.</summary>
    public sealed record RunList(IReadOnlyList<RunSummary> Runs);
}
