using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using Recur.Cli.Tasks;
using Recur.Serve.Models;

namespace Recur.Serve.Tests;

/// <summary>A <c>recur serve</c> application on ASP.NET Core's in-memory test server, with the models of run directories.</summary>
internal sealed class TestServe : IAsyncDisposable
{
    private TestServe(WebApplication app, ServeContext context)
    {
        App = app;
        Context = context;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public ServeContext Context { get; }
    public HttpClient Client { get; }

    /// <summary>Serves <paramref name="specs"/> (NAME=DIR) as <c>recur serve</c> loads them.</summary>
    public static async Task<TestServe> StartAsync(ServeOptions options, params string[] specs)
    {
        var context = new ServeContext(options);
        return await StartAsync(context, ServeCommand.Load(specs, context));
    }

    /// <summary>Serves <paramref name="models"/> (for endpoints around stub predictors).</summary>
    public static async Task<TestServe> StartAsync(ServeContext context, IReadOnlyList<ServedModel> models)
    {
        var app = ServeApp.Build(context, models, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.ClearProviders();
        });
        await app.StartAsync();
        return new TestServe(app, context);
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json)
        => Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>POSTs <paramref name="json"/> and returns the answer's JSON, failing unless the status is 200.</summary>
    public async Task<JsonNode> PostOkAsync(string path, string json)
    {
        var response = await PostAsync(path, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }

    /// <summary>
    /// POSTs and expects a problem document: the status, <c>application/problem+json</c>, and a
    /// detail containing every fragment; returns it.
    /// </summary>
    public async Task<JsonObject> ProblemAsync(HttpResponseMessage response, int status, params string[] fragments)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = (JsonObject)JsonNode.Parse(body)!;
        Assert.Equal(status, problem["status"]!.GetValue<int>());
        Assert.StartsWith("urn:recur:problem:", problem["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(problem["title"]?.GetValue<string>()));
        foreach (var f in fragments) Assert.Contains(f, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
        return problem;
    }

    /// <summary>The events of a server-sent event stream: (event name, data JSON).</summary>
    public static async Task<List<(string Event, JsonNode Data)>> ReadEventsAsync(HttpResponseMessage response)
    {
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = new List<(string, JsonNode)>();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        string? name = null;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add((name!, JsonNode.Parse(line[6..])!));
        }
        return events;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static MediaTypeHeaderValue JsonType => new("application/json");

    public static JsonSerializerOptions Options => ServeJson.Options;

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
