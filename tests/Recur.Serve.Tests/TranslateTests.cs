using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace Recur.Serve.Tests;

/// <summary><c>translate</c> models answer what <c>recur translate predict</c> answers, greedy and with a beam.</summary>
[Collection("served models")]
public sealed class TranslateTests(TinyModels models)
{
    private static readonly string[] Words = ["abc", "fed", "aabbcc", "cab", "f"];

    private Task<TestServe> ServeAsync() => TestServe.StartAsync(new ServeOptions(), $"rev={models.Translate}");

    [Fact]
    public async Task The_best_output_and_the_k_best_are_those_of_translate_predict()
    {
        await using var serve = await ServeAsync();
        var model = await serve.Client.GetFromJsonNodeAsync("/v1/models/rev");
        Assert.Equal("translate", model["task"]!.GetValue<string>());
        foreach (var word in Words)
        {
            string greedy = TinyModels.Recur("translate", "predict", "--model", models.Translate, "--text", word).Trim();
            var one = await serve.PostOkAsync("/v1/models/rev:predict", $$"""{"text": "{{word}}"}""");
            Assert.Equal(greedy, one["output"]!.GetValue<string>());
            Assert.Single(one["best"]!.AsArray());

            var cli = TinyModels.Recur("translate", "predict", "--model", models.Translate, "--text", word, "--beam", "3").Trim().Split('\n');
            var three = await serve.PostOkAsync("/v1/models/rev:predict", $$"""{"text": "{{word}}", "beam": 3}""");
            var best = three["best"]!.AsArray();
            Assert.Equal(cli.Length, best.Count);
            for (int k = 0; k < cli.Length; k++)
            {
                var fields = cli[k].Split('\t');
                Assert.Equal(fields[0], best[k]!["score"]!.GetValue<double>().ToString("0.0000", CultureInfo.InvariantCulture));
                Assert.Equal(fields.Length > 1 ? fields[1].TrimEnd('\r') : "", best[k]!["output"]!.GetValue<string>());
            }
            Assert.Equal(best[0]!["output"]!.GetValue<string>(), three["output"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Unknown_tokens_are_counted_and_listed_in_order()
    {
        await using var serve = await ServeAsync();
        var answer = await serve.PostOkAsync("/v1/models/rev:predict", """{"text": "axbyx"}""");
        Assert.Equal(3, answer["unknown_tokens"]!.GetValue<int>());
        Assert.Equal(["x", "y", "x"], answer["unknown"]!.AsArray().Select(t => t!.GetValue<string>()));
        var known = await serve.PostOkAsync("/v1/models/rev:predict", """{"text": "abc"}""");
        Assert.Equal(0, known["unknown_tokens"]!.GetValue<int>());
        Assert.Empty(known["unknown"]!.AsArray());
    }

    [Fact]
    public async Task Texts_of_one_request_and_of_concurrent_requests_answer_as_alone()
    {
        await using var serve = await ServeAsync();
        var alone = new List<JsonNode>();
        foreach (var word in Words) alone.Add(await serve.PostOkAsync("/v1/models/rev:predict", $$"""{"text": "{{word}}", "beam": 2}"""));
        var list = (await serve.PostOkAsync("/v1/models/rev:predict", "{\"beam\": 2, \"texts\": " +
            new JsonArray(Words.Select(w => (JsonNode?)JsonValue.Create(w)).ToArray()).ToJsonString() + "}"))["predictions"]!.AsArray();
        Assert.Equal(alone.Select(a => a.ToJsonString()), list.Select(p => p!.ToJsonString()));
        // Many at once, of two beam widths, share batches: each still gets its own answer.
        var greedy = new List<JsonNode>();
        foreach (var word in Words) greedy.Add(await serve.PostOkAsync("/v1/models/rev:predict", $$"""{"text": "{{word}}"}"""));
        var mixed = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            serve.PostOkAsync("/v1/models/rev:predict", $$"""{"text": "{{Words[i % Words.Length]}}", "beam": {{(i % 2 == 0 ? 2 : 1)}}}""")));
        for (int i = 0; i < mixed.Length; i++)
            Assert.Equal((i % 2 == 0 ? alone : greedy)[i % Words.Length].ToJsonString(), mixed[i].ToJsonString());
    }

    [Theory]
    [InlineData("""{"text": "abc", "beam": 0}""", 422, "expected at least 1")]
    [InlineData("""{"text": "abc", "beam": 17}""", 422, "beam")]
    [InlineData("""{"text": "abc", "beam": "3"}""", 400, "beam")]
    [InlineData("""{"text": "   "}""", 422, "empty")]
    [InlineData("""{"text": "xyz"}""", 422, "none of its 3 tokens")]
    [InlineData("""{"text": "abc", "temperature": 1}""", 400, "temperature")]
    public async Task Bad_requests_get_a_problem_and_the_model_keeps_serving(string body, int status, string fragment)
    {
        await using var serve = await ServeAsync();
        await serve.ProblemAsync(await serve.PostAsync("/v1/models/rev:predict", body), status, fragment);
        var ok = await serve.PostAsync("/v1/models/rev:predict", """{"text": "abc"}""");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }
}
