using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Cli.Prediction;
using Recur.Cli.Tasks;
using Recur.Serve.Batching;

namespace Recur.Serve.Tests;

/// <summary>
/// Models that are only predicted with run several batches at once (no lock: <c>Model.Predict</c>
/// is safe on many threads), and under many concurrent clients every answer is still exactly the
/// one the command line's prediction code gives alone.
/// </summary>
[Collection("served models")]
public sealed class ConcurrencyTests(TinyModels models)
{
    /// <summary>Runs batches of one item through a run that records how many run at once; the first two wait for each other when <paramref name="meet"/>.</summary>
    private static async Task<int> MostAtOnce(int concurrency, bool meet)
    {
        int running = 0, most = 0;
        using var both = new Barrier(2);
        await using var batcher = new MicroBatcher<int, int>(xs =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref most, now);
            if (meet) both.SignalAndWait(TimeSpan.FromSeconds(30)); // two batches in the run at the same time
            else Thread.Sleep(20); // room for a second batch to start, were it allowed
            Interlocked.Decrement(ref running);
            return xs.Select(x => x * 10).ToList();
        }, TimeSpan.Zero, maxBatch: 1, maxQueue: 100, concurrency: concurrency);
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => batcher.RunAsync(i, CancellationToken.None)));
        Assert.Equal(Enumerable.Range(0, 8).Select(i => i * 10), results);
        return most;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref target)) && Interlocked.CompareExchange(ref target, value, seen) != seen)
        {
        }
    }

    [Fact]
    public async Task Batches_run_at_once_up_to_the_concurrency_and_one_at_a_time_at_1()
    {
        Assert.Equal(2, await MostAtOnce(concurrency: 2, meet: true));
        Assert.Equal(1, await MostAtOnce(concurrency: 1, meet: false));
    }

    [Fact]
    public async Task Many_clients_at_once_each_get_exactly_the_answer_of_the_prediction_code_alone()
    {
        // The references: the prediction code of recur predict and recur forecast, one input per call.
        var classifier = new TextClassifier(TrainedModel.Load(models.Classify, ClassifyCommand.Task));
        var tagger = new Tagger(TrainedModel.Load(models.Tag, TagCommand.Task));
        var forecaster = new Forecaster(TrainedModel.Load(models.Forecast, ForecastCommand.Task));
        var texts = Enumerable.Range(0, 40).Select(i => string.Join(' ', Enumerable.Range(0, 1 + i % 11)
            .Select(k => (k % 3 == 0 ? TinyModels.Positive : k % 3 == 1 ? TinyModels.Negative : TinyModels.Filler)[(i * 7 + k) % 5]))).ToList();
        string[] sentences = ["the cat runs", "a dog leaves to the city", "this plane lands in a city", "the flight sleeps from this dog"];
        var histories = Enumerable.Range(0, 12).Select(i => Enumerable.Range(0, 24 + i * 2).Select(TinyModels.Value).ToArray()).ToList();
        var classes = texts.Select(t => classifier.Classify([t])[0]).ToList();
        var tags = sentences.Select(t => tagger.Tag([t])[0].Tags).ToList();
        var forecasts = histories.Select(h => forecaster.Forecast([(0, h)])[0][0]).ToList();

        var options = new ServeOptions { BatchWindow = TimeSpan.FromMilliseconds(1), MaxBatch = 8, ConcurrentBatches = 4 };
        await using var serve = await TestServe.StartAsync(options, $"cls={models.Classify}", $"tagger={models.Tag}", $"fc={models.Forecast}");
        const int clients = 32, requests = 24;
        int answered = 0;
        await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
        {
            for (int r = 0; r < requests; r++)
            {
                int k = c * requests + r;
                switch (k % 3)
                {
                    case 0:
                    {
                        int i = k % texts.Count;
                        var answer = await serve.PostOkAsync("/v1/models/cls:predict", "{\"text\": \"" + texts[i] + "\"}");
                        Assert.Equal(classes[i].Label, answer["label"]!.GetValue<string>());
                        Assert.Equal(classes[i].Probabilities[0], answer["probabilities"]!["neg"]!.GetValue<double>());
                        Assert.Equal(classes[i].Probabilities[1], answer["probabilities"]!["pos"]!.GetValue<double>());
                        break;
                    }
                    case 1:
                    {
                        int i = k % sentences.Length;
                        var answer = await serve.PostOkAsync("/v1/models/tagger:predict", "{\"text\": \"" + sentences[i] + "\"}");
                        Assert.Equal(tags[i], answer["tags"]!.AsArray().Select(t => t!.GetValue<string>()));
                        break;
                    }
                    default:
                    {
                        int i = k % histories.Count;
                        var body = "{\"history\": [" + string.Join(',', histories[i].Select(v => v.ToString("R", CultureInfo.InvariantCulture))) + "]}";
                        var answer = await serve.PostOkAsync("/v1/models/fc:predict", body);
                        Assert.Equal(forecasts[i].Forecast, answer["forecast"]![0]!.GetValue<double>());
                        var interval = answer["quantiles"]![0]!.AsObject();
                        Assert.Equal(forecasts[i].Lower, interval["0.1"]!.GetValue<double>());
                        Assert.Equal(forecasts[i].Upper, interval["0.9"]!.GetValue<double>());
                        break;
                    }
                }
                Interlocked.Increment(ref answered);
            }
        })));
        Assert.Equal(clients * requests, answered);
        var metrics = await serve.Client.GetStringAsync("/metrics");
        Assert.DoesNotContain("status=\"5", metrics, StringComparison.Ordinal); // no request failed on the server
    }
}
