using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve.Api;
using Recur.Serve.Batching;

namespace Recur.Serve.Tests;

/// <summary>Concurrent requests share forward passes, and each gets exactly the answer it gets alone.</summary>
[Collection("served models")]
public sealed partial class BatchingTests(TinyModels models)
{
    /// <summary>Requests gathered for up to 200 ms: concurrent ones certainly share batches.</summary>
    private static readonly ServeOptions Gathering = new() { BatchWindow = TimeSpan.FromMilliseconds(200), MaxBatch = 64 };

    [Fact]
    public async Task Concurrent_classifications_are_batched_and_identical_to_unbatched_ones()
    {
        var texts = Enumerable.Range(0, 24).Select(i => string.Join(' ', Enumerable.Range(0, 1 + i % 9)
            .Select(k => (k % 3 == 0 ? TinyModels.Positive : k % 3 == 1 ? TinyModels.Negative : TinyModels.Filler)[(i + k) % 5]))).ToList();
        // The unbatched reference: the prediction code of recur predict, one text per forward pass.
        var classifier = new TextClassifier(TrainedModel.Load(models.Classify, ClassifyCommand.Task));
        var alone = texts.Select(t => classifier.Classify([t])[0]).ToList();

        await using var serve = await TestServe.StartAsync(Gathering, $"cls={models.Classify}");
        var answers = await Task.WhenAll(texts.Select(t => serve.PostOkAsync("/v1/models/cls:predict", "{\"text\": \"" + t + "\"}")));
        for (int i = 0; i < texts.Count; i++)
        {
            Assert.Equal(alone[i].Label, answers[i]["label"]!.GetValue<string>());
            Assert.Equal(alone[i].Probabilities[0], answers[i]["probabilities"]!["neg"]!.GetValue<double>()); // exact
            Assert.Equal(alone[i].Probabilities[1], answers[i]["probabilities"]!["pos"]!.GetValue<double>());
        }
        string metrics = await serve.Client.GetStringAsync("/metrics");
        var (batches, requests) = BatchCounts(metrics, "cls");
        Assert.Equal(texts.Count, requests);
        Assert.True(batches < requests, $"{requests} requests ran in {batches} batches; expected some to share one");
        // Every request's wait for its batch, and every batch's run, is in the latency split.
        Assert.Equal(requests, Count(metrics, "recur_batch_wait_seconds", "cls"));
        Assert.Equal(batches, Count(metrics, "recur_batch_run_seconds", "cls"));
        Assert.True(Sum(metrics, "recur_batch_run_seconds", "cls") > 0);
    }

    private static long Count(string metrics, string name, string model)
        => long.Parse(Regex.Match(metrics, $"{name}_count{{model=\"{model}\"}} (\\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

    private static double Sum(string metrics, string name, string model)
        => double.Parse(Regex.Match(metrics, $"{name}_sum{{model=\"{model}\"}} ([0-9.eE+-]+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public async Task Concurrent_generations_step_together_and_each_equals_recur_charlm_sample()
    {
        await using var serve = await TestServe.StartAsync(Gathering with { BatchWindow = TimeSpan.FromMilliseconds(50) }, $"lm={models.CharLm}");
        string[] primes = ["ROMEO:", "JULIET:\nO", "Good", "What light", "O, speak", "R", "ROMEO:\nWhat", "night"];
        var answers = await Task.WhenAll(primes.Select((p, i) => serve.PostOkAsync("/v1/models/lm:predict",
            $$"""{"prime": {{JsonValue.Create(p).ToJsonString()}}, "max_tokens": 30, "seed": {{i + 1}}, "stream": false}""")));
        for (int i = 0; i < primes.Length; i++)
        {
            var cli = TinyModels.Recur("charlm", "sample", "--model", models.CharLm, "--prime", primes[i], "--length", "30", "--seed", (i + 1).ToString(CultureInfo.InvariantCulture)).TrimEnd('\n');
            Assert.Equal(cli, primes[i] + answers[i]["text"]!.GetValue<string>());
        }
        var (batches, rows) = BatchCounts(await serve.Client.GetStringAsync("/metrics"), "lm");
        Assert.True(batches < rows, $"{rows} steps ran in {batches} batches; expected generations to share them");
    }

    [Fact]
    public async Task Without_batching_every_request_runs_alone()
    {
        await using var serve = await TestServe.StartAsync(new ServeOptions { MaxBatch = 1 }, $"cls={models.Classify}");
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => serve.PostOkAsync("/v1/models/cls:predict", """{"text": "good"}""")));
        var (batches, requests) = BatchCounts(await serve.Client.GetStringAsync("/metrics"), "cls");
        Assert.Equal(8, requests);
        Assert.Equal(8, batches);
    }

    /// <summary>(batches, items) of a model from the recur_batch_size histogram.</summary>
    private static (long Batches, long Items) BatchCounts(string metrics, string model)
        => (Count(metrics, "recur_batch_size", model), (long)Sum(metrics, "recur_batch_size", model));

    [Fact]
    public async Task A_batch_takes_what_arrives_within_the_window_up_to_the_maximum()
    {
        var sizes = new List<int>();
        await using var batcher = new MicroBatcher<int, int>(xs => xs.Select(x => x * 10).ToList(), TimeSpan.FromMilliseconds(300), maxBatch: 4, maxQueue: 100,
            onBatch: b => { lock (sizes) sizes.Add(b.Size); });
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => batcher.RunAsync(i, CancellationToken.None)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i * 10), results);
        Assert.Equal(10, sizes.Sum());
        Assert.All(sizes, s => Assert.InRange(s, 1, 4));
        Assert.True(sizes.Count <= 4, $"batches {string.Join(",", sizes)}"); // 10 items, at most 4 a batch, gathered for 300 ms: 3 batches (4, 4, 2) unless one was cut short
    }

    [Fact]
    public async Task A_batch_that_holds_every_request_in_flight_runs_without_waiting_out_the_window()
    {
        // A window of a day: had the batch waited it out, the answer would not come within the guard below.
        await using var batcher = new MicroBatcher<int, int>(xs => xs, TimeSpan.FromDays(1), maxBatch: 64, maxQueue: 100, inFlight: () => 1);
        var answer = batcher.RunAsync(7, CancellationToken.None);
        var guard = Task.Delay(TimeSpan.FromMinutes(2));
        Assert.Same(answer, await Task.WhenAny(answer, guard));
        Assert.Equal(7, await answer);
    }

    [Fact]
    public async Task A_full_queue_refuses_with_503_and_a_failing_batch_fails_only_its_items()
    {
        using var release = new ManualResetEventSlim();
        await using var batcher = new MicroBatcher<int, int>(xs =>
        {
            release.Wait();
            if (xs.Contains(-1)) throw new InvalidOperationException("bad batch");
            return xs;
        }, TimeSpan.Zero, maxBatch: 1, maxQueue: 2);
        var first = batcher.RunAsync(1, CancellationToken.None); // taken by the worker, which blocks
        while (batcher.Queued > 0) await Task.Delay(5);
        var queued = new[] { batcher.RunAsync(-1, CancellationToken.None), batcher.RunAsync(3, CancellationToken.None) };
        var refused = Assert.Throws<RequestException>(() => { _ = batcher.RunAsync(4, CancellationToken.None); });
        Assert.Equal(503, refused.Status);
        Assert.Equal(2, refused.Limit);
        release.Set();
        Assert.Equal(1, await first);
        await Assert.ThrowsAsync<InvalidOperationException>(() => queued[0]);
        Assert.Equal(3, await queued[1]);
    }

    [Fact]
    public async Task A_request_given_up_while_waiting_is_left_out_of_its_batch()
    {
        var seen = new List<int>();
        await using var batcher = new MicroBatcher<int, int>(xs => { lock (seen) seen.AddRange(xs); return xs; }, TimeSpan.FromMilliseconds(300), maxBatch: 8, maxQueue: 100);
        using var cancel = new CancellationTokenSource();
        var kept = batcher.RunAsync(1, CancellationToken.None);
        var dropped = batcher.RunAsync(2, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => dropped);
        Assert.Equal(1, await kept);
        Assert.Equal([1], seen);
    }
}
