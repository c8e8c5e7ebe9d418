using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tests.Testing;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>Metrics compiled per output of a model of several outputs (Keras' <c>metrics={"out": [...]}</c>).</summary>
public class OutputMetricsTests
{
    private static (Functional Model, Tensor X, Tensor Sign, Tensor Sum) TwoOutputs()
    {
        var (x, y) = ToyData.SignOfSum(64, 5, seed: 6);
        var sums = new Tensor(Enumerable.Range(0, 64).Select(i => Enumerable.Range(0, 5).Sum(t => x.Span[i * 5 + t])).ToArray(), 64, 1);
        var input = Functional.Input([-1, 1], "x");
        var h = new Lstm(6, name: "body").Apply(input);
        var model = new Functional([input], [new Dense(1, name: "sign").Apply(h), new Dense(1, name: "sum").Apply(h)], seed: 4) { Output = TextWriter.Null };
        return (model, x, y, sums);
    }

    private static Dictionary<string, IReadOnlyList<Metric>> SignAccuracySumMae() => new()
    {
        ["sign"] = [Metric.BinaryAccuracy],
        ["sum"] = [Metric.MeanAbsoluteError],
    };

    [Fact]
    public void Each_output_is_scored_by_its_own_metrics_under_the_output_name()
    {
        var (model, x, sign, sum) = TwoOutputs();
        model.Compile(new Adam(0.01f), [Loss.BinaryCrossEntropy(fromLogits: true), Loss.MeanSquaredError()], SignAccuracySumMae());
        var logs = model.Evaluate([x], [sign, sum]);
        var outputs = model.Predict([x]);

        // The same figures computed by hand from the predictions: sigmoid > 0.5 against the sign, |ŷ − y| for the sum.
        double accuracy = Enumerable.Range(0, 64).Average(i => (1 / (1 + Math.Exp(-outputs[0].Span[i])) > 0.5 ? 1.0 : 0.0) == sign.Span[i] ? 1.0 : 0.0);
        double mae = Enumerable.Range(0, 64).Average(i => Math.Abs(outputs[1].Span[i] - sum.Span[i]));
        Assert.Equal(accuracy, logs["sign_binary_accuracy"], 6);
        Assert.Equal(mae, logs["sum_mae"], 5);
        Assert.DoesNotContain("binary_accuracy", logs.Keys);

        var history = model.Fit([x], [sign, sum], epochs: 6, batchSize: 16, validationData: ([x], [sign, sum]), verbose: Verbosity.Silent);
        Assert.True(history["sum_mae"][^1] < history["sum_mae"][0], $"sum_mae {history["sum_mae"][0]:F3} → {history["sum_mae"][^1]:F3}");
        Assert.Contains("val_sign_binary_accuracy", history.Keys);
    }

    [Fact]
    public void Per_output_metrics_are_saved_with_the_model()
    {
        var (model, x, sign, sum) = TwoOutputs();
        model.Compile(new Adam(0.01f), [Loss.BinaryCrossEntropy(fromLogits: true), Loss.MeanSquaredError()], SignAccuracySumMae(), lossWeights: [1f, 0.5f]);
        string path = Path.Combine(Path.GetTempPath(), $"recur-output-metrics-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(["sign", "sum"], loaded.OutputMetrics.Keys.Order());
            Assert.Equal(model.Evaluate([x], [sign, sum]), loaded.Evaluate([x], [sign, sum]));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Metrics_by_output_refuse_unknown_outputs_shared_metric_objects_and_an_unbuilt_model()
    {
        var (model, _, _, _) = TwoOutputs();
        Loss[] losses = [Loss.BinaryCrossEntropy(fromLogits: true), Loss.MeanSquaredError()];
        var unknown = Assert.Throws<ArgumentException>(() => model.Compile(new Adam(), losses, new Dictionary<string, IReadOnlyList<Metric>> { ["total"] = [Metric.MeanAbsoluteError] }));
        Assert.Contains("no output 'total'", unknown.Message);
        Assert.Contains("sign, sum", unknown.Message);

        var one = Metric.MeanAbsoluteError;
        var shared = Assert.Throws<ArgumentException>(() => model.Compile(new Adam(), losses, new Dictionary<string, IReadOnlyList<Metric>> { ["sign"] = [one], ["sum"] = [one] }));
        Assert.Contains("sign_mae and sum_mae", shared.Message);
        Assert.Null(model.Optimizer); // nothing was set

        var sequential = new Sequential(new Dense(1, name: "out"));
        var unbuilt = Assert.Throws<InvalidOperationException>(() => sequential.Compile(new Adam(), [Loss.MeanSquaredError()], new Dictionary<string, IReadOnlyList<Metric>> { ["out"] = [Metric.MeanAbsoluteError] }));
        Assert.Contains("not built", unbuilt.Message);
    }
}
