using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Http;
using Recur.Serve.Models;
using Recur.Serve.Tasks.Classify;

namespace Recur.Serve.Tests;

/// <summary>
/// Every bad input gets a 4xx RFC 9457 problem document naming the field (and the limit), and the
/// server goes on answering everyone else.
/// </summary>
[Collection("served models")]
public sealed class BadInputTests(TinyModels models)
{
    private static readonly ServeOptions Limits = new() { MaxTextLength = 20_000, MaxTexts = 3, MaxTokens = 500, MaxBodyBytes = 64 * 1024, MaxHistory = 1000 };

    private Task<TestServe> ServeAsync() => TestServe.StartAsync(Limits, $"cls={models.Classify}", $"fc={models.Forecast}", $"lm={models.CharLm}", $"tagger={models.Tag}");

    private static async Task<string?> Field(TestServe serve, HttpResponseMessage r, int status, params string[] fragments)
        => (await serve.ProblemAsync(r, status, fragments))["field"]?.GetValue<string>();

    [Fact]
    public async Task Malformed_json_names_where_it_breaks()
    {
        await using var serve = await ServeAsync();
        Assert.Equal("text", await Field(serve, await serve.PostAsync("/v1/models/cls:predict", "{\"text\": "), 400, "not valid JSON at 'text'"));
        Assert.Null(await Field(serve, await serve.PostAsync("/v1/models/cls:predict", "{\"text\" \"a\"}"), 400, "not valid JSON"));
        Assert.Equal("texts[1]", await Field(serve, await serve.PostAsync("/v1/models/cls:predict", "{\"texts\": [\"a\", nope]}"), 400, "not valid JSON at 'texts[1]'"));
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/cls:predict", ""), 400, "empty");
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/cls:predict", "[1, 2]"), 400, "a list; expected a JSON object");
    }

    /// <summary>(model, body, status, field, a fragment of the detail): every bad field gets its own problem.</summary>
    public static TheoryData<string, string, int, string, string> Fields => new()
    {
        { "cls", "{}", 400, "text", "'text' is required" },
        { "cls", "{\"text\": 5}", 400, "text", "'text' is the number 5; expected a string" },
        { "cls", "{\"texts\": [\"a\", true]}", 400, "texts[1]", "expected a string" },
        { "cls", "{\"txt\": \"a\"}", 400, "txt", "'txt' is not a field of this request; expected 'text', 'texts'" },
        { "cls", "{\"text\": \"a\", \"texts\": [\"b\"]}", 422, "texts", "Both 'text' and 'texts'" },
        { "cls", "{\"texts\": []}", 422, "texts", "empty list" },
        { "lm", "{\"max_tokens\": 3}", 400, "prime", "'prime' is required" },
        { "lm", "{\"prime\": \"R\", \"temperature\": \"hot\"}", 400, "temperature", "expected a number" },
        { "lm", "{\"prime\": \"R\", \"seed\": -1}", 400, "seed", "expected an integer from 0" },
        { "lm", "{\"prime\": \"R\", \"max_tokens\": 2.5}", 400, "max_tokens", "expected an integer" },
        { "lm", "{\"prime\": \"R\", \"stream\": \"yes\"}", 400, "stream", "expected true or false" },
        { "lm", "{\"prime\": \"R\", \"temperature\": 0}", 422, "temperature", "above 0" },
        { "lm", "{\"prime\": \"RO☃\"}", 422, "prime[2]", "\"☃\" at 2, which the model never saw" },
        { "lm", "{\"prime\": \"\"}", 422, "prime", "empty" },
        { "fc", "{\"history\": \"1,2,3\"}", 400, "history", "expected a list of numbers" },
        { "fc", "{\"history\": [1, NaN, 3, 4, 5, 6]}", 400, "history[1]", "NaN and Infinity are not JSON numbers" },
        { "fc", "{\"history\": [1, 2, \"NaN\", 4, 5, 6]}", 422, "history[2]", "'history[2]' is NaN" },
        { "fc", "{\"history\": [1e999, 2, 3, 4, 5, 6]}", 422, "history[0]", "finite" },
        { "fc", "{\"history\": [1, 2, 3, -4, 5, 6]}", 422, "history[3]", "positive" },
        { "fc", "{\"history\": [1, 2, 3, 4, 5, 6], \"steps\": 0}", 422, "steps", "at least 1" },
    };

    [Theory]
    [MemberData(nameof(Fields))]
    public async Task A_bad_field_is_named(string model, string body, int status, string field, string fragment)
    {
        await using var serve = await ServeAsync();
        Assert.Equal(field, await Field(serve, await serve.PostAsync($"/v1/models/{model}:predict", body), status, fragment));
    }

    [Fact]
    public async Task Values_over_a_limit_name_the_limit()
    {
        await using var serve = await ServeAsync();
        int need = (await serve.Client.GetFromJsonNodeAsync("/v1/models/fc"))["details"]!["min_history"]!.GetValue<int>();
        Assert.InRange(need, 6, 24); // the window of 6, a season of 12 before the seasonal base forecasts, or two before a combined seasonal AR does
        var cases = new (string Model, string Body, string Field, int Limit, string Detail)[]
        {
            ("cls", "{\"text\": \"" + new string('a', 20_001) + "\"}", "text", 20_000, "'text' is 20,001 characters long; the limit is 20,000."),
            ("cls", "{\"texts\": [\"a\", \"b\", \"c\", \"d\"]}", "texts", 3, "'texts' has 4 texts; the limit is 3 per request."),
            ("lm", "{\"prime\": \"R\", \"max_tokens\": 1000000}", "max_tokens", 500, "'max_tokens' is 1,000,000; the limit is 500."),
            ("lm", "{\"prime\": \"R\", \"top_k\": 1000}", "top_k", 31, "'top_k' is 1,000; the limit is 31."),
            ("fc", "{\"history\": [1, 2, 3]}", "history", need, $"'history' has 3 values; the model needs at least {need} to forecast this series"),
            ("tagger", "{\"texts\": [\"a b\", \"" + string.Join(' ', Enumerable.Repeat("w", 5001)) + "\"]}", "texts[1]", 5000, "'texts[1]' has 5,001 words; the model tags at most 5,000 at a time."),
        };
        foreach (var c in cases)
        {
            var p = await serve.ProblemAsync(await serve.PostAsync($"/v1/models/{c.Model}:predict", c.Body), 422, c.Detail);
            Assert.Equal(c.Field, p["field"]!.GetValue<string>());
            Assert.Equal(c.Limit, p["limit"]!.GetValue<int>());
        }
    }

    [Fact]
    public async Task Forecast_steps_over_a_long_history_are_bounded_by_the_values_read()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"fc={models.Forecast}");
        string body = "{\"history\": [" + string.Join(", ", Enumerable.Repeat("1", 20_000)) + "], \"steps\": 1000}";
        var p = await serve.ProblemAsync(await serve.PostAsync("/v1/models/fc:predict", body), 422,
            "'steps' is 1000 over a history of 20,000 values: each step reads the whole history, 21,000,000 values in all; the limit is 10,000,000.");
        Assert.Equal("steps", p["field"]!.GetValue<string>());
        Assert.Equal(Recur.Serve.Tasks.Forecast.ForecastEndpoint.MaxValuesRead, p["limit"]!.GetValue<long>());
    }

    [Fact]
    public async Task Unknown_model_stream_and_route()
    {
        await using var serve = await ServeAsync();
        Assert.Equal("name", await Field(serve, await serve.PostAsync("/v1/models/nope:predict", "{\"text\": \"a\"}"), 404, "'nope'", "'cls'"));
        Assert.Equal("name", await Field(serve, await serve.Client.GetAsync("/v1/models/nope"), 404, "'nope'"));
        Assert.Equal("id", await Field(serve, await serve.PostAsync("/v1/models/lm/streams/0123:step", "{\"text\": \"a\"}"), 404, "no open stream '0123'"));
        Assert.Equal("id", await Field(serve, await serve.Client.DeleteAsync("/v1/models/lm/streams/0123"), 404, "no open stream"));
        var missing = await serve.Client.GetAsync("/v2/nothing");
        await serve.ProblemAsync(missing, 404, "/v2/nothing");
        await serve.ProblemAsync(await serve.PostAsync("/v1/runs", "{}"), 405, "POST is not allowed");
    }

    [Fact]
    public async Task A_body_of_100_MB_is_refused_without_being_read()
    {
        await using var serve = await ServeAsync();
        // Declared: refused from the Content-Length alone.
        var declared = new CountingContent(100L << 20, declareLength: true).WithType();
        var p = await serve.ProblemAsync(await serve.Client.PostAsync("/v1/models/cls:predict", declared), 413, "104,857,600 bytes", "limit is 65,536");
        Assert.Equal(Limits.MaxBodyBytes, p["limit"]!.GetValue<long>());
        // Streamed without a length: refused as soon as it passes the limit; the rest is never read.
        var streamed = new CountingContent(100L << 20, declareLength: false).WithType();
        await serve.ProblemAsync(await serve.Client.PostAsync("/v1/models/cls:predict", streamed), 413, "larger than the limit of 65,536 bytes");
        Assert.True(streamed.Sent < 8L << 20, $"{streamed.Sent:N0} bytes were taken from a 100 MB body");
        // And a good request still works.
        Assert.Contains((await serve.PostOkAsync("/v1/models/cls:predict", "{\"text\": \"great\"}"))["label"]!.GetValue<string>(), new[] { "pos", "neg" });
    }

    [Fact]
    public async Task Not_json_and_streams_of_a_model_without_them()
    {
        await using var serve = await ServeAsync();
        var form = new StringContent("text=good", Encoding.UTF8, "application/x-www-form-urlencoded");
        await serve.ProblemAsync(await serve.Client.PostAsync("/v1/models/cls:predict", form), 415, "application/x-www-form-urlencoded");
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/cls/streams", "{}"), 400, "keeps no state");
    }

    [Fact]
    public async Task A_request_over_the_timeout_gets_504_and_the_server_goes_on()
    {
        var context = new ServeContext(new ServeOptions { RequestTimeout = TimeSpan.FromMilliseconds(300) });
        var slow = new SlowClassifier();
        await using var serve = await TestServe.StartAsync(context, [new ServedModel(new ModelInfo("slow", "classify", "stub", "text", "label", false, new Dictionary<string, object?>()), new ClassifyEndpoint("slow", slow, context))]);
        slow.Delay = TimeSpan.FromSeconds(2);
        var p = await serve.ProblemAsync(await serve.PostAsync("/v1/models/slow:predict", "{\"text\": \"a\"}"), 504, "0.3 s");
        Assert.Equal(0.3, p["limit"]!.GetValue<double>());
        slow.Delay = TimeSpan.Zero;
        await Task.Delay(2000); // the slow batch ends
        Assert.Equal("yes", (await serve.PostOkAsync("/v1/models/slow:predict", "{\"text\": \"a\"}"))["label"]!.GetValue<string>());
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_that_reveals_nothing()
    {
        var context = new ServeContext(new ServeOptions());
        var failing = new SlowClassifier { Fail = true };
        await using var serve = await TestServe.StartAsync(context, [new ServedModel(new ModelInfo("bad", "classify", "stub", "text", "label", false, new Dictionary<string, object?>()), new ClassifyEndpoint("bad", failing, context))]);
        var p = await serve.ProblemAsync(await serve.PostAsync("/v1/models/bad:predict", "{\"text\": \"a\"}"), 500, "unexpected error");
        Assert.DoesNotContain("secret", p.ToJsonString(), StringComparison.Ordinal);
    }

    private sealed class SlowClassifier : ITextClassifier
    {
        public TimeSpan Delay { get; set; }
        public bool Fail { get; init; }
        public IReadOnlyList<string> Labels => ["yes", "no"];

        public IReadOnlyList<Classification> Classify(IReadOnlyList<string> texts)
        {
            Thread.Sleep(Delay);
            if (Fail) throw new InvalidOperationException("secret internals");
            return texts.Select(_ => new Classification("yes", 1, new Dictionary<string, double> { ["yes"] = 1, ["no"] = 0 })).ToList();
        }
    }

    /// <summary>A JSON-looking body of <paramref name="length"/> bytes made as it is read, counting what was taken.</summary>
    private sealed class CountingContent(long length, bool declareLength) : HttpContent
    {
        public long Sent { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
        {
            var chunk = Encoding.ASCII.GetBytes(new string(' ', 64 * 1024));
            chunk[0] = (byte)'[';
            try
            {
                while (Sent < length)
                {
                    await stream.WriteAsync(chunk);
                    Sent += chunk.Length;
                    chunk[0] = (byte)' ';
                }
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or InvalidOperationException)
            {
                // The server stopped reading.
            }
        }

        protected override bool TryComputeLength(out long size)
        {
            size = length;
            return declareLength;
        }

        public CountingContent WithType()
        {
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return this;
        }
    }
}
