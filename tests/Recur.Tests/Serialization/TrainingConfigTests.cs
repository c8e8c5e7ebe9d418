using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Tests.Serialization;

/// <summary>
/// The compile settings of a model file: every setting written under its key and read back,
/// the per-loss weights and per-output metrics only when they say something, nothing when a
/// loss or the optimizer cannot be saved, and each malformed setting named by its path.
/// </summary>
public class TrainingConfigTests
{
    /// <summary>A loss no registration knows, with a configuration.</summary>
    private sealed class UnregisteredLoss : Loss
    {
        public override string Name => "unregistered";

        protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient) => 0;

        public override JsonObject GetConfig() => new() { ["scale"] = 2 };
    }

    private static readonly Dictionary<string, IReadOnlyList<Metric>> NoOutputMetrics = new();

    private static JsonObject? Describe(Loss[] losses, float[] weights, Optimizer? optimizer = null, Dictionary<string, IReadOnlyList<Metric>>? outputMetrics = null,
        float? clipNorm = null, float? clipValue = null)
        => TrainingConfig.Describe(losses, weights, optimizer ?? new Sgd(0.1f), [Metric.Accuracy], outputMetrics ?? NoOutputMetrics, clipNorm, clipValue);

    /// <summary>The JSON as a model file gives it back: written as text and parsed.</summary>
    private static JsonObject AsRead(JsonObject json) => (JsonObject)JsonNode.Parse(json.ToJsonString())!;

    private static string Refusal(string compileJson)
        => Assert.Throws<InvalidDataException>(() => TrainingConfig.Read((JsonObject)JsonNode.Parse(compileJson)!)).Message;

    [Fact]
    public void One_loss_of_weight_one_is_written_as_the_loss_alone_with_the_clipping_under_its_keys()
    {
        var json = Describe([new MeanSquaredError()], [1f], clipNorm: 1.5f, clipValue: 0.25f)!;

        Assert.Equal(["loss", "optimizer", "metrics", "clip_norm", "clip_value"], json.Select(kv => kv.Key));
        var read = TrainingConfig.Read(AsRead(json));
        Assert.IsType<MeanSquaredError>(Assert.Single(read.Losses));
        Assert.Null(read.LossWeights);
        Assert.Equal(1.5f, read.ClipNorm);
        Assert.Equal(0.25f, read.ClipValue);
        Assert.Equal("accuracy", Assert.Single(read.Metrics).Name);
        Assert.Empty(read.OutputMetrics);
    }

    [Fact]
    public void No_clipping_is_read_back_as_none()
    {
        var read = TrainingConfig.Read(AsRead(Describe([new MeanSquaredError()], [1f])!));

        Assert.Null(read.ClipNorm);
        Assert.Null(read.ClipValue);
    }

    [Fact]
    public void Several_losses_or_a_weight_other_than_one_are_written_with_their_weights()
    {
        var two = Describe([new MeanSquaredError(), new MeanAbsoluteError()], [1f, 1f])!;
        var weighted = Describe([new Huber(2f)], [0.5f])!;

        var readTwo = TrainingConfig.Read(AsRead(two));
        Assert.Equal(["mse", "mae"], ((JsonArray)two["losses"]!).Select(l => (string)l!["type"]!));
        Assert.Equal([typeof(MeanSquaredError), typeof(MeanAbsoluteError)], readTwo.Losses.Select(l => l.GetType()));
        Assert.Equal([1f, 1f], readTwo.LossWeights!);
        var readWeighted = TrainingConfig.Read(AsRead(weighted));
        Assert.Equal([0.5f], readWeighted.LossWeights!);
        Assert.Equal(2f, Assert.IsType<Huber>(Assert.Single(readWeighted.Losses)).Delta);
    }

    [Fact]
    public void Metrics_per_output_are_written_only_when_there_are_some()
    {
        var json = Describe([new MeanSquaredError()], [1f], outputMetrics: new() { ["head"] = [Metric.MeanAbsoluteError, Metric.RootMeanSquaredError] })!;

        Assert.Equal("[\"mae\",\"rmse\"]", json["output_metrics"]!["head"]!.ToJsonString());
        var read = TrainingConfig.Read(AsRead(json));
        Assert.Equal(["mae", "rmse"], read.OutputMetrics["head"].Select(m => m.Name));
        Assert.False(Describe([new MeanSquaredError()], [1f])!.ContainsKey("output_metrics"));
    }

    [Fact]
    public void Nothing_is_written_without_a_loss_and_an_optimizer_or_when_a_loss_is_not_registered()
    {
        Assert.Null(TrainingConfig.Describe([], [], new Sgd(0.1f), [], NoOutputMetrics, null, null));
        Assert.Null(TrainingConfig.Describe([new MeanSquaredError()], [1f], null, [], NoOutputMetrics, null, null));
        Assert.Null(Describe([new UnregisteredLoss()], [1f]));
        Assert.Null(Describe([new MeanSquaredError(), new UnregisteredLoss()], [1f, 1f]));
    }

    [Fact]
    public void Malformed_settings_are_named_by_their_path_in_the_compile_object()
    {
        const string Sgd = "\"optimizer\": {\"type\": \"sgd\", \"learning_rate\": 0.1, \"momentum\": 0, \"nesterov\": false, \"weight_decay\": 0}";
        Assert.Equal("Layer 'compile': configuration key 'loss' is missing.", Refusal("{" + Sgd + "}"));
        Assert.Equal("Layer 'compile.loss': configuration key 'type' is missing.", Refusal("{\"loss\": {}, " + Sgd + "}"));
        Assert.Equal("Layer 'compile.optimizer': configuration key 'type' is missing.", Refusal("{\"loss\": {\"type\": \"mse\"}, \"optimizer\": {}}"));
        Assert.Equal("compile.losses[1] is not an object.", Refusal("{\"losses\": [{\"type\": \"mse\"}, 3], " + Sgd + "}"));
        Assert.Equal("Layer 'compile.losses[0]': configuration key 'type' is missing.", Refusal("{\"losses\": [{}], " + Sgd + "}"));
        Assert.Equal("compile.loss_weights is missing; expected one weight per loss.", Refusal("{\"losses\": [{\"type\": \"mse\"}], " + Sgd + "}"));
        Assert.Equal("compile.loss_weights[1] is \"x\"; expected a finite number.", Refusal("{\"losses\": [{\"type\": \"mse\"}, {\"type\": \"mae\"}], \"loss_weights\": [1, \"x\"], " + Sgd + "}"));
        Assert.Equal("compile.loss_weights[0] is null; expected a finite number.", Refusal("{\"losses\": [{\"type\": \"mse\"}], \"loss_weights\": [null], " + Sgd + "}"));
        Assert.Equal("Layer 'compile': configuration key 'clip_norm' should be a finite number; found \"big\".",
            Refusal("{\"loss\": {\"type\": \"mse\"}, " + Sgd + ", \"clip_norm\": \"big\"}"));
        Assert.Equal("Layer 'compile': configuration key 'clip_value' should be a finite number; found true.",
            Refusal("{\"loss\": {\"type\": \"mse\"}, " + Sgd + ", \"clip_value\": true}"));
    }
}
