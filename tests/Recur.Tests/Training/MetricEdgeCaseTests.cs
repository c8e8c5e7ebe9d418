using Recur.Layers;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>The metrics where a one-character change would go unseen: ties, the 0.5 threshold, masks over several rows, nothing counted.</summary>
public class MetricEdgeCaseTests
{
    [Fact]
    public void Accuracy_takes_the_first_of_tied_classes_and_thresholds_single_outputs()
    {
        var tied = Tensor.FromArray(new float[] { 0.4f, 0.4f, 0.2f, 0.1f, 0.45f, 0.45f }, 2, 3);
        var acc = Metric.Accuracy;
        acc.Update(tied, Tensor.FromArray(new float[] { 0, 1 }, 2), null); // argmax 0 and 1: the first of each tie
        Assert.Equal(1.0, acc.Result());

        // One output per sample: the 0.5 threshold on prediction and target, 0.5 itself negative.
        var p = Tensor.FromArray(new float[] { 0.5f, 0.5f, 0.9f, 0.2f, 0.2f }, 5, 1);
        var y = new float[] { 0, 0, 1, 1, 0.5f }; // hit, hit, hit, miss, hit
        var single = Metric.Accuracy;
        single.Update(p, Tensor.FromArray(y, 5, 1), null);
        Assert.Equal(0.8, single.Result(), 12);
        var binary = Metric.BinaryAccuracy;
        binary.Update(p, Tensor.FromArray(y, 5), null); // (B, 1) against (B): still no class axis
        Assert.Equal(0.8, binary.Result(), 12);
    }

    [Fact]
    public void Per_step_metrics_read_each_rows_own_mask()
    {
        // (B=2, T=3, C=2): row 0 has 1 real step, row 1 has 3. Padding predictions are all wrong.
        var probs = Tensor.FromArray(new float[] { 0.9f, 0.1f, 0.9f, 0.1f, 0.9f, 0.1f, 0.2f, 0.8f, 0.2f, 0.8f, 0.9f, 0.1f }, 2, 3, 2);
        var ids = Tensor.FromArray(new float[] { 0, 1, 1, 1, 1, 1 }, 2, 3);
        var mask = SequenceMask.FromLengths(new[] { 1, 3 }, 3);
        var acc = Metric.Accuracy;
        acc.Update(probs, ids, mask);
        Assert.Equal(3.0 / 4, acc.Result(), 12); // row 0: 1 of 1; row 1: 2 of 3

        var ppl = Metric.Perplexity;
        ppl.Update(probs, ids, mask);
        Assert.Equal(Math.Exp(-(Math.Log(0.9f) + Math.Log(0.8f) + Math.Log(0.8f) + Math.Log(0.1f)) / 4), ppl.Result(), 6);

        // (B=2, T=3, 2 features): the mask covers both features of a step.
        var mae = Metric.MeanAbsoluteError;
        var p = Tensor.FromArray(new float[] { 1, 2, 50, 50, 50, 50, 0, 0, 1, 1, 2, 2 }, 2, 3, 2);
        mae.Update(p, Tensor.Zeros(2, 3, 2), mask);
        Assert.Equal((1 + 2 + 0 + 0 + 1 + 1 + 2 + 2) / 8.0, mae.Result(), 12);
        var rmse = Metric.RootMeanSquaredError;
        rmse.Update(p, Tensor.Zeros(2, 3, 2), mask);
        Assert.Equal(Math.Sqrt((1 + 4 + 0 + 0 + 1 + 1 + 4 + 4) / 8.0), rmse.Result(), 12);
    }

    [Fact]
    public void A_mask_that_does_not_fit_the_targets_leaves_every_position_counted()
    {
        // Per-sample targets (B) beside a (B, T) input mask: the mask is about steps, which these
        // targets have none of. Row 0's first step is padding (a left-padded row).
        var mask = new SequenceMask(new[] { false, true, true, true, true, true }, 2, 3);
        var acc = Metric.Accuracy;
        acc.Update(Tensor.FromArray(new float[] { 0.9f, 0.1f, 0.2f, 0.8f }, 2, 2), Tensor.FromArray(new float[] { 0, 0 }, 2), mask);
        Assert.Equal(0.5, acc.Result());
        var ppl = Metric.Perplexity;
        ppl.Update(Tensor.FromArray(new float[] { 0.5f, 0.5f, 0.25f, 0.75f }, 2, 2), Tensor.FromArray(new float[] { 0, 1 }, 2), mask);
        Assert.Equal(Math.Exp(-(Math.Log(0.5) + Math.Log(0.75)) / 2), ppl.Result(), 6);
        var mae = Metric.MeanAbsoluteError;
        mae.Update(Tensor.Zeros(2, 1), Tensor.FromArray(new float[] { 1, 3 }, 2, 1), SequenceMask.FromLengths(new[] { 1, 3 }, 3));
        Assert.Equal(2, mae.Result(), 12);
        // A mask of zero steps fits no step layout either: every value counts (no division by its step count).
        var rmse = Metric.RootMeanSquaredError;
        rmse.Update(Tensor.Zeros(2, 1), Tensor.FromArray(new float[] { 3, 4 }, 2, 1), new SequenceMask([], 2, 0));
        Assert.Equal(Math.Sqrt(12.5), rmse.Result(), 12);
    }

    [Fact]
    public void Results_over_nothing_and_after_reset()
    {
        Assert.Equal(0, Metric.Accuracy.Result());
        Assert.Equal(0, Metric.MeanAbsoluteError.Result());
        Assert.Equal(0, Metric.RootMeanSquaredError.Result());
        Assert.True(double.IsNaN(Metric.Perplexity.Result()));

        var empty = Metric.Accuracy;
        empty.Update(Tensor.Zeros(0, 3), Tensor.Zeros(0), null); // an empty batch counts nothing
        Assert.Equal(0, empty.Result());
        var emptyError = Metric.MeanAbsoluteError;
        emptyError.Update(Tensor.Zeros(0, 2), Tensor.Zeros(0, 2), null);
        Assert.Equal(0, emptyError.Result());
        var emptyPpl = Metric.Perplexity;
        emptyPpl.Update(Tensor.Zeros(0, 3), Tensor.Zeros(0), null);
        Assert.True(double.IsNaN(emptyPpl.Result()));

        // Reset forgets a batch: after it, the result is that of the next batch alone.
        foreach (var m in new[] { Metric.Accuracy, Metric.BinaryAccuracy, Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.Perplexity })
        {
            bool classes = m.Name is "accuracy" or "perplexity";
            var p = classes ? Tensor.FromArray(new float[] { 0.25f, 0.75f }, 1, 2) : Tensor.FromArray(new float[] { 0.75f }, 1, 1);
            Tensor Target(float v) => classes ? Tensor.FromArray(new[] { v }, 1) : Tensor.FromArray(new[] { v }, 1, 1);
            m.Update(p, Target(0), null);
            double before = m.Result();
            m.Reset();
            m.Update(p, Target(1), null);
            double expected = m.Name switch { "perplexity" => 1 / 0.75, "mae" or "rmse" => 0.25, _ => 1 };
            Assert.NotEqual(expected, before, 6);
            Assert.Equal(expected, m.Result(), 6);
        }
    }

    [Fact]
    public void Perplexity_of_a_zero_probability_is_large_but_finite()
    {
        var ppl = Metric.Perplexity;
        ppl.Update(Tensor.FromArray(new float[] { 1f, 0f }, 1, 2), Tensor.FromArray(new float[] { 1 }, 1), null);
        Assert.InRange(ppl.Result() / 1e30, 0.999999, 1.000001); // probabilities are floored at 1e-30
    }

    [Fact]
    public void Shape_mismatches_are_refused_with_both_shapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Metric.MeanAbsoluteError.Update(Tensor.Zeros(2, 3), Tensor.Zeros(2, 2), null));
        Assert.Equal("target", e.ParamName);
        Assert.StartsWith("Metric 'mae': prediction (2, 3) and target (2, 2) differ.", e.Message, StringComparison.Ordinal);
        var p = Assert.Throws<ArgumentException>(() => Metric.Perplexity.Update(Tensor.Zeros(2, 3), Tensor.Zeros(2, 3), null));
        Assert.Equal("target", p.ParamName);
        Assert.StartsWith("Perplexity needs class probabilities (…, C) and class ids (…); got (2, 3) and (2, 3).", p.Message, StringComparison.Ordinal);
        Assert.Equal(new[] { "accuracy", "binary_accuracy", "mae", "rmse", "perplexity" },
            new[] { Metric.Accuracy, Metric.BinaryAccuracy, Metric.MeanAbsoluteError, Metric.RootMeanSquaredError, Metric.Perplexity }.Select(m => m.Name));
    }
}
