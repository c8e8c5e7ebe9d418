using System.Text.Json.Nodes;
using Recur.Serve.Streams;
using Microsoft.Extensions.DependencyInjection;

namespace Recur.Serve.Tests;

/// <summary>Stateful streams: the recurrent state stays on the server between steps, until DELETE, the idle timeout or the cap.</summary>
[Collection("served models")]
public sealed class StreamsTests(TinyModels models)
{
    private static async Task<string> OpenAsync(TestServe serve, string body = "{}")
    {
        var response = await serve.PostAsync("/v1/models/lm/streams", body);
        Assert.Equal(201, (int)response.StatusCode);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!["id"]!.GetValue<string>();
    }

    [Fact]
    public async Task A_stream_fed_in_steps_continues_as_one_generation_does()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"lm={models.CharLm}");
        var id = await OpenAsync(serve, """{"seed": 5}""");
        // Two steps of text, then generation: the state carries across the requests.
        var first = await serve.PostOkAsync($"/v1/models/lm/streams/{id}:step", """{"text": "ROM"}""");
        Assert.Equal(3, first["consumed"]!.GetValue<int>());
        Assert.Equal(3, first["position"]!.GetValue<long>());
        Assert.Equal(5, first["next"]!.AsArray().Count);
        var second = await serve.PostOkAsync($"/v1/models/lm/streams/{id}:step", """{"text": "EO:", "max_tokens": 25, "temperature": 0.8}""");
        Assert.Equal(6 + 25, second["position"]!.GetValue<long>());
        var cli = TinyModels.Recur("charlm", "sample", "--model", models.CharLm, "--prime", "ROMEO:", "--length", "25", "--seed", "5").TrimEnd('\n');
        Assert.Equal(cli, "ROMEO:" + second["generated"]!.GetValue<string>());
        var p = second["next"]!.AsArray().Select(n => n!["probability"]!.GetValue<double>()).ToList();
        Assert.Equal(p.OrderDescending(), p);

        // An empty step generates on from where the stream is.
        var third = await serve.PostOkAsync($"/v1/models/lm/streams/{id}:step", """{"max_tokens": 5}""");
        Assert.Equal(5, third["generated"]!.GetValue<string>().Length);

        Assert.Contains("recur_open_streams 1", await serve.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
        Assert.Equal(204, (int)(await serve.Client.DeleteAsync($"/v1/models/lm/streams/{id}")).StatusCode);
        await serve.ProblemAsync(await serve.PostAsync($"/v1/models/lm/streams/{id}:step", """{"text": "a"}"""), 404, id);
        Assert.Contains("recur_open_streams 0", await serve.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Streams_are_independent()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"lm={models.CharLm}");
        var a = await OpenAsync(serve);
        var b = await OpenAsync(serve);
        await serve.PostOkAsync($"/v1/models/lm/streams/{a}:step", """{"text": "JULIET:\nWhat light"}""");
        var fromB = await serve.PostOkAsync($"/v1/models/lm/streams/{b}:step", """{"text": "R"}""");
        var fresh = await OpenAsync(serve);
        var fromFresh = await serve.PostOkAsync($"/v1/models/lm/streams/{fresh}:step", """{"text": "R"}""");
        Assert.Equal(fromFresh["next"]!.ToJsonString(), fromB["next"]!.ToJsonString());
        await serve.ProblemAsync(await serve.PostAsync($"/v1/models/lm/streams/{fresh}:step", """{"text": "R☃"}"""), 422, "never saw");
        var empty = await OpenAsync(serve);
        await serve.ProblemAsync(await serve.PostAsync($"/v1/models/lm/streams/{empty}:step", "{}"), 422, "read nothing yet");
    }

    [Fact]
    public async Task The_cap_refuses_with_429_and_idle_streams_expire()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions { MaxStreams = 2, StreamIdleTimeout = TimeSpan.FromMilliseconds(200) }, $"lm={models.CharLm}");
        var a = await OpenAsync(serve);
        await OpenAsync(serve);
        var p = await serve.ProblemAsync(await serve.PostAsync("/v1/models/lm/streams", "{}"), 429, "2 streams are open");
        Assert.Equal(2, p["limit"]!.GetValue<int>());
        await Task.Delay(400);
        serve.App.Services.GetRequiredService<StreamRegistry>().Sweep();
        await serve.ProblemAsync(await serve.PostAsync($"/v1/models/lm/streams/{a}:step", """{"text": "R"}"""), 404, "expired after 0 s idle");
        Assert.Equal(201, (int)(await serve.PostAsync("/v1/models/lm/streams", "{}")).StatusCode);
    }
}

/// <summary>Health, metrics and the OpenAPI document.</summary>
[Collection("served models")]
public sealed class OperationsTests(TinyModels models)
{
    [Fact]
    public async Task Healthz_metrics_and_openapi()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"cls={models.Classify}", $"lm={models.CharLm}", $"fc={models.Forecast}");
        var health = await serve.Client.GetFromJsonNodeAsync("/healthz");
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal(3, health["models"]!.GetValue<int>());

        await serve.PostOkAsync("/v1/models/cls:predict", """{"text": "good"}""");
        await serve.PostOkAsync("/v1/models/lm:predict", """{"prime": "R", "max_tokens": 7, "stream": false}""");
        await serve.PostAsync("/v1/models/cls:predict", "{}");
        var response = await serve.Client.GetAsync("/metrics");
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        var metrics = await response.Content.ReadAsStringAsync();
        foreach (var line in new[]
        {
            "# TYPE recur_requests_total counter",
            "recur_requests_total{route=\"predict\",model=\"cls\",status=\"200\"} 1",
            "recur_request_errors_total{route=\"predict\",model=\"cls\",status=\"400\"} 1",
            "# TYPE recur_request_duration_seconds histogram",
            "recur_request_duration_seconds_count{route=\"predict\"} 3",
            "recur_request_duration_seconds_bucket{route=\"predict\",le=\"+Inf\"} 3",
            "recur_batch_size_count{model=\"cls\"} 1",
            "recur_generated_tokens_total{model=\"lm\"} 7",
            "recur_queue_length{model=\"cls\"} 0",
            "recur_open_streams 0",
        })
            Assert.Contains(line, metrics, StringComparison.Ordinal);

        var api = await serve.Client.GetFromJsonNodeAsync("/openapi/v1.json");
        Assert.StartsWith("3.", api["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = api["paths"]!.AsObject();
        foreach (var path in new[] { "/healthz", "/metrics", "/v1/models", "/v1/models/{name}:predict", "/v1/models/{name}/streams", "/v1/models/{name}/streams/{id}:step", "/v1/runs" })
            Assert.True(paths.ContainsKey(path), path);
        var schemas = api["components"]!["schemas"]!.AsObject();
        foreach (var s in new[] { "classify_request", "classify_response", "charlm_request", "charlm_response", "forecast_request", "forecast_response" })
            Assert.True(schemas.ContainsKey(s), s);
        Assert.True(schemas["charlm_request"]!["properties"]!.AsObject().ContainsKey("max_tokens"));
        var alternatives = paths["/v1/models/{name}:predict"]!["post"]!["requestBody"]!["content"]!["application/json"]!["schema"]!["oneOf"]!.AsArray();
        Assert.Equal(3, alternatives.Count);
        Assert.Contains("charlm (lm)", paths["/v1/models/{name}:predict"]!["post"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
