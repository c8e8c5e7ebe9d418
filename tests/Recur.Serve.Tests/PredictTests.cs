using System.Globalization;
using System.Text.Json.Nodes;

namespace Recur.Serve.Tests;

/// <summary>Every task's <c>:predict</c> answers what the <c>recur</c> command line answers for the same model and input.</summary>
[Collection("served models")]
public sealed class PredictTests(TinyModels models)
{
    private static readonly string[] Sentences = ["a great film", "the plot was dull and very poor", "superb", "", "what a lovely , lovely story !", "unseen words only"];

    private Task<TestServe> ServeAsync(ServeOptions? options = null)
        => TestServe.StartAsync(options ?? new ServeOptions(), $"cls={models.Classify}", $"tagger={models.Tag}", $"fc={models.Forecast}", $"lm={models.CharLm}");

    [Fact]
    public async Task Models_lists_every_model_with_task_architecture_input_and_output()
    {
        await using var serve = await ServeAsync();
        var list = (await serve.Client.GetFromJsonNodeAsync("/v1/models"))["models"]!.AsArray();
        Assert.Equal(["cls", "tagger", "fc", "lm"], list.Select(m => m!["name"]!.GetValue<string>()));
        Assert.Equal(["classify", "tag", "forecast", "charlm"], list.Select(m => m!["task"]!.GetValue<string>()));
        foreach (var m in list)
        {
            Assert.Contains("parameters", m!["architecture"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(m["input"]!.GetValue<string>()));
            Assert.False(string.IsNullOrWhiteSpace(m["output"]!.GetValue<string>()));
        }
        Assert.Equal(["neg", "pos"], list[0]!["details"]!["labels"]!.AsArray().Select(l => l!.GetValue<string>()));
        Assert.True(list[3]!["streams"]!.GetValue<bool>());
        var one = await serve.Client.GetFromJsonNodeAsync("/v1/models/fc");
        Assert.Equal(6, one["details"]!["window"]!.GetValue<int>());
    }

    [Fact]
    public async Task Classify_gives_the_label_and_probability_of_recur_predict()
    {
        await using var serve = await ServeAsync();
        var input = Path.Combine(models.Root, "sentences.txt");
        File.WriteAllLines(input, Sentences.Where(s => s.Length > 0));
        var cli = TinyModels.Recur("predict", "--model", models.Classify, "--input", input).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var served = Sentences.Where(s => s.Length > 0).ToList();
        Assert.Equal(served.Count, cli.Length);
        for (int i = 0; i < served.Count; i++)
        {
            var answer = await serve.PostOkAsync("/v1/models/cls:predict", $$"""{"text": {{JsonValue.Create(served[i]).ToJsonString()}}}""");
            var fields = cli[i].Split('\t');
            Assert.Equal(fields[0], answer["label"]!.GetValue<string>());
            double p = answer["probability"]!.GetValue<double>();
            Assert.Equal(fields[1], p.ToString("0.0000", CultureInfo.InvariantCulture));
            Assert.Equal(p, answer["probabilities"]![fields[0]]!.GetValue<double>());
            Assert.Equal(1.0, answer["probabilities"]!.AsObject().Sum(kv => kv.Value!.GetValue<double>()), 12);
        }
    }

    [Fact]
    public async Task Texts_answer_as_a_list_in_order_equal_to_single_requests()
    {
        await using var serve = await ServeAsync();
        var list = await serve.PostOkAsync("/v1/models/cls:predict", "{\"texts\": " + new JsonArray(Sentences.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()).ToJsonString() + "}");
        var predictions = list["predictions"]!.AsArray();
        Assert.Equal(Sentences.Length, predictions.Count);
        for (int i = 0; i < Sentences.Length; i++)
        {
            var single = await serve.PostOkAsync("/v1/models/cls:predict", "{\"text\": " + JsonValue.Create(Sentences[i]).ToJsonString() + "}");
            Assert.Equal(single.ToJsonString(), predictions[i]!.ToJsonString()); // bit for bit: padding in the batch is masked
        }
    }

    [Fact]
    public async Task Tag_gives_the_tags_of_recur_predict()
    {
        await using var serve = await ServeAsync();
        string[] sentences = ["the dog runs to a city", "A plane lands", "this cat sleeps in the flight 42"];
        foreach (var s in sentences)
        {
            var cli = TinyModels.Recur("predict", "--model", models.Tag, "--text", s).Trim();
            var answer = await serve.PostOkAsync("/v1/models/tagger:predict", $$"""{"text": "{{s}}"}""");
            var tokens = answer["tokens"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            var tags = answer["tags"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
            Assert.Equal(cli, string.Join(' ', tokens.Select((w, i) => $"{w}/{tags[i]}")));
        }
        var empty = await serve.PostOkAsync("/v1/models/tagger:predict", """{"text": "   "}""");
        Assert.Empty(empty["tokens"]!.AsArray());
    }

    [Fact]
    public async Task Forecast_gives_the_forecasts_recur_forecast_wrote_for_its_test_span()
    {
        await using var serve = await ServeAsync();
        // predictions.csv: line (1-based file line of the target row), actual, forecast, naive; the header is line 1, row i is line i + 2.
        var rows = File.ReadAllLines(Path.Combine(models.Forecast, "predictions.csv")).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(10, rows.Count);
        foreach (var row in rows)
        {
            int target = int.Parse(row[0], CultureInfo.InvariantCulture) - 2; // the forecast row's index in the series
            var history = Enumerable.Range(0, target).Select(TinyModels.Value).ToArray(); // horizon 1: everything before it
            var answer = await serve.PostOkAsync("/v1/models/fc:predict", "{\"history\": [" + string.Join(',', history.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]}");
            Assert.Equal(double.Parse(row[2], CultureInfo.InvariantCulture), answer["forecast"]![0]!.GetValue<double>());
            Assert.Equal(1, answer["horizon"]!.GetValue<int>());
            Assert.Equal("value", answer["target"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Forecast_steps_feed_each_forecast_back_as_the_next_value()
    {
        await using var serve = await ServeAsync();
        var history = Enumerable.Range(0, 30).Select(TinyModels.Value).ToList();
        string Body(IEnumerable<double> h, int steps) => "{\"history\": [" + string.Join(',', h.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + $"], \"steps\": {steps}}}";
        var three = (await serve.PostOkAsync("/v1/models/fc:predict", Body(history, 3)))["forecast"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(3, three.Count);
        for (int s = 0; s < 3; s++)
        {
            var one = (await serve.PostOkAsync("/v1/models/fc:predict", Body(history, 1)))["forecast"]![0]!.GetValue<double>();
            Assert.Equal(three[s], one);
            history.Add(one);
        }
    }

    [Theory]
    [InlineData("ROMEO:", 40, 0.8, 3UL)]
    [InlineData("J", 25, 1.5, 11UL)]
    public async Task Generation_streams_the_text_of_recur_charlm_sample(string prime, int length, double temperature, ulong seed)
    {
        await using var serve = await ServeAsync();
        var cli = TinyModels.Recur("charlm", "sample", "--model", models.CharLm, "--prime", prime, "--length", length.ToString(CultureInfo.InvariantCulture),
            "--temperature", temperature.ToString(CultureInfo.InvariantCulture), "--seed", seed.ToString(CultureInfo.InvariantCulture)).TrimEnd('\n');
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/models/lm:predict")
        {
            Content = TestServe.Json($$"""{"prime": {{JsonValue.Create(prime).ToJsonString()}}, "max_tokens": {{length}}, "temperature": {{temperature.ToString(CultureInfo.InvariantCulture)}}, "seed": {{seed}}}"""),
        };
        var response = await serve.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await TestServe.ReadEventsAsync(response);
        var tokens = events.Where(e => e.Event == "token").ToList();
        Assert.Equal(length, tokens.Count);
        Assert.Equal(Enumerable.Range(0, length), tokens.Select(t => t.Data["index"]!.GetValue<int>()));
        var (last, done) = events[^1];
        Assert.Equal("done", last);
        Assert.Equal(string.Concat(tokens.Select(t => t.Data["text"]!.GetValue<string>())), done["text"]!.GetValue<string>());
        Assert.Equal(cli, prime + done["text"]!.GetValue<string>());
        Assert.Equal("length", done["finish_reason"]!.GetValue<string>());
        Assert.Equal(seed, done["seed"]!.GetValue<ulong>());

        var whole = await serve.PostOkAsync("/v1/models/lm:predict", $$"""{"prime": {{JsonValue.Create(prime).ToJsonString()}}, "max_tokens": {{length}}, "temperature": {{temperature.ToString(CultureInfo.InvariantCulture)}}, "seed": {{seed}}, "stream": false}""");
        Assert.Equal(done.ToJsonString(), whole.ToJsonString());
    }

    [Fact]
    public async Task Top_k_of_one_is_greedy_whatever_the_seed()
    {
        await using var serve = await ServeAsync();
        var a = await serve.PostOkAsync("/v1/models/lm:predict", """{"prime": "ROMEO:", "max_tokens": 30, "top_k": 1, "seed": 1, "stream": false}""");
        var b = await serve.PostOkAsync("/v1/models/lm:predict", """{"prime": "ROMEO:", "max_tokens": 30, "top_k": 1, "seed": 99, "stream": false, "temperature": 2}""");
        Assert.Equal(a["text"]!.GetValue<string>(), b["text"]!.GetValue<string>());
        var c = await serve.PostOkAsync("/v1/models/lm:predict", """{"prime": "ROMEO:", "max_tokens": 30, "seed": 99, "stream": false, "temperature": 2}""");
        Assert.NotEqual(a["text"]!.GetValue<string>(), c["text"]!.GetValue<string>());
    }
}

internal static class HttpJson
{
    public static async Task<JsonNode> GetFromJsonNodeAsync(this HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path} answered {(int)response.StatusCode}: {body}");
        return JsonNode.Parse(body)!;
    }
}
