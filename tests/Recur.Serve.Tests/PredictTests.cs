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

    /// <summary>predictions.csv as (column name → cell) per row.</summary>
    private static List<Dictionary<string, string>> Predictions(string run)
    {
        var lines = File.ReadAllLines(Path.Combine(run, "predictions.csv"));
        var header = lines[0].Split(',');
        return lines.Skip(1).Select(l => header.Zip(l.Split(',')).ToDictionary(p => p.First, p => p.Second)).ToList();
    }

    private static double Number(string cell) => double.Parse(cell, CultureInfo.InvariantCulture);

    private static string HistoryBody(IEnumerable<double> history, string extra = "")
        => "{\"history\": [" + string.Join(',', history.Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]" + extra + "}";

    [Fact]
    public async Task Forecast_gives_the_forecasts_and_intervals_recur_forecast_wrote_for_its_test_span()
    {
        await using var serve = await ServeAsync();
        // predictions.csv: line (1-based file line of the target row), actual, forecast, lower, upper, baselines; row i is line i + 2.
        var rows = Predictions(models.Forecast);
        Assert.Equal(10, rows.Count);
        foreach (var row in rows)
        {
            int target = int.Parse(row["line"], CultureInfo.InvariantCulture) - 2; // the forecast row's index in the series
            var history = Enumerable.Range(0, target).Select(TinyModels.Value); // horizon 1: everything before it
            var answer = await serve.PostOkAsync("/v1/models/fc:predict", HistoryBody(history));
            Assert.Equal(Number(row["forecast"]), Assert.Single(answer["forecast"]!.AsArray())!.GetValue<double>());
            var interval = Assert.Single(answer["quantiles"]!.AsArray())!;
            Assert.Equal(Number(row["lower"]), interval["0.1"]!.GetValue<double>());
            Assert.Equal(Number(row["upper"]), interval["0.9"]!.GetValue<double>());
            Assert.True(Number(row["lower"]) < Number(row["upper"]));
            Assert.Equal(0.8, answer["level"]!.GetValue<double>());
            Assert.Equal(1, answer["horizon"]!.GetValue<int>());
            Assert.Equal("value", answer["target"]!.GetValue<string>());
            Assert.Null(answer["series"]);
        }
    }

    [Fact]
    public async Task Forecast_of_a_global_model_gives_every_step_of_each_series_as_recur_forecast_wrote_it()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"long={models.ForecastLong}");
        var details = (await serve.Client.GetFromJsonNodeAsync("/v1/models/long"))["details"]!;
        Assert.Equal(TinyModels.Shops, details["series"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal(3, details["horizon"]!.GetValue<int>());
        int checkedSteps = 0;
        // predictions.csv (h = 3): id, line, actual, then per step j the forecast made j rows before and its interval.
        foreach (var row in Predictions(models.ForecastLong))
        {
            int line = int.Parse(row["line"], CultureInfo.InvariantCulture), shop = (line - 2) % 2, target = (line - 2) / 2;
            Assert.Equal(TinyModels.Shops[shop], row["id"]);
            for (int j = 1; j <= 3; j++)
            {
                int origin = target - j;
                var history = Enumerable.Range(0, origin + 1).Select(i => TinyModels.LongValue(TinyModels.Shops[shop], i));
                var answer = await serve.PostOkAsync("/v1/models/long:predict", HistoryBody(history, $", \"series\": \"{TinyModels.Shops[shop]}\""));
                Assert.Equal(TinyModels.Shops[shop], answer["series"]!.GetValue<string>());
                var forecast = answer["forecast"]!.AsArray();
                Assert.Equal(3, forecast.Count);
                Assert.Equal(Number(row[$"forecast_{j}"]), forecast[j - 1]!.GetValue<double>());
                var interval = answer["quantiles"]![j - 1]!;
                Assert.Equal(Number(row[$"lower_{j}"]), interval["0.1"]!.GetValue<double>());
                Assert.Equal(Number(row[$"upper_{j}"]), interval["0.9"]!.GetValue<double>());
                checkedSteps++;
            }
        }
        Assert.Equal(2 * 8 * 3, checkedSteps); // 8 test rows per shop, each forecast from 1, 2 and 3 rows before
    }

    [Fact]
    public async Task Forecast_of_a_global_model_needs_a_known_series()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions(), $"long={models.ForecastLong}", $"fc={models.Forecast}");
        var history = HistoryBody(Enumerable.Range(0, 30).Select(i => TinyModels.LongValue("north", i)));
        Assert.Equal("series", (await serve.ProblemAsync(await serve.PostAsync("/v1/models/long:predict", history), 400, "'series' is required", "\"north\""))["field"]!.GetValue<string>());
        var unknown = HistoryBody(Enumerable.Range(0, 30).Select(i => TinyModels.LongValue("north", i)), ", \"series\": \"east\"");
        Assert.Equal("series", (await serve.ProblemAsync(await serve.PostAsync("/v1/models/long:predict", unknown), 422, "'series' is \"east\"", "trained on"))["field"]!.GetValue<string>());
        var single = HistoryBody(Enumerable.Range(0, 30).Select(TinyModels.Value), ", \"series\": \"north\"");
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/fc:predict", single), 422, "a single series without an id");
        var steps = HistoryBody(Enumerable.Range(0, 30).Select(i => TinyModels.LongValue("north", i)), ", \"series\": \"north\", \"steps\": 2");
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/long:predict", steps), 422, "forecasts 3 rows at once");
    }

    [Fact]
    public async Task Forecast_steps_feed_each_forecast_back_as_the_next_value()
    {
        await using var serve = await ServeAsync();
        var history = Enumerable.Range(0, 30).Select(TinyModels.Value).ToList();
        var answer = await serve.PostOkAsync("/v1/models/fc:predict", HistoryBody(history, ", \"steps\": 3"));
        var three = answer["forecast"]!.AsArray().Select(v => v!.GetValue<double>()).ToList();
        Assert.Equal(3, three.Count);
        Assert.Single(answer["quantiles"]!.AsArray()); // the direct forecast only: fed-back ones have no interval
        for (int s = 0; s < 3; s++)
        {
            var one = (await serve.PostOkAsync("/v1/models/fc:predict", HistoryBody(history)))["forecast"]![0]!.GetValue<double>();
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
