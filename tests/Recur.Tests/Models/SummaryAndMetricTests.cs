using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;
using Recur.Training;

namespace Recur.Tests.Models;

public class SummaryAndMetricTests
{
    [Fact]
    public void Summary_lists_layers_shapes_and_parameter_counts()
    {
        var m = new Sequential(new Embedding(100, 8, maskZero: true), new Bidirectional(new Lstm(16)), new Dense(1));
        m.Build(20);
        string s = m.Summary();
        // LSTM per direction: 4·16·(8 + 16) + 2·4·16 = 1,664; two directions 3,328. Dense: 32 + 1.
        Assert.Contains("embedding (Embedding)", s);
        Assert.Matches(@"bidirectional_lstm \(Bidirectional\)\s+\(None, 32\)\s+3,328", s);
        Assert.Matches(@"dense \(Dense\)\s+\(None, 1\)\s+33", s);
        Assert.Contains("Total params: 4,161", s);
        Assert.Contains("Trainable params: 4,161", s);
    }

    [Fact]
    public void Metrics_match_hand_computed_values()
    {
        var probs = Tensor.FromArray(new float[] { 0.7f, 0.2f, 0.1f, 0.1f, 0.3f, 0.6f, 0.5f, 0.25f, 0.25f }, 3, 3);
        var ids = Tensor.FromArray(new float[] { 0, 1, 2 }, 3);
        var acc = Metric.Accuracy;
        acc.Update(probs, ids, null);
        Assert.Equal(1.0 / 3, acc.Result(), 10);
        var ppl = Metric.Perplexity;
        ppl.Update(probs, ids, null);
        Assert.Equal(Math.Exp(-(Math.Log(0.7) + Math.Log(0.3) + Math.Log(0.25)) / 3), ppl.Result(), 5);

        var p = Tensor.FromArray(new float[] { 0.9f, 0.4f, 0.6f, 0.1f }, 4, 1);
        var y = Tensor.FromArray(new float[] { 1, 1, 0, 0 }, 4, 1);
        var bin = Metric.BinaryAccuracy;
        bin.Update(p, y, null);
        Assert.Equal(0.5, bin.Result(), 10);
        var mae = Metric.MeanAbsoluteError;
        mae.Update(p, y, null);
        Assert.Equal((0.1 + 0.6 + 0.6 + 0.1) / 4, mae.Result(), 6);
        var rmse = Metric.RootMeanSquaredError;
        rmse.Update(p, y, null);
        Assert.Equal(Math.Sqrt((0.01 + 0.36 + 0.36 + 0.01) / 4), rmse.Result(), 6);
    }

    [Fact]
    public void Per_step_metrics_skip_masked_steps()
    {
        // (B=1, T=3, C=2) probabilities; the last step is padding with a wrong prediction.
        var probs = Tensor.FromArray(new float[] { 0.9f, 0.1f, 0.2f, 0.8f, 0.9f, 0.1f }, 1, 3, 2);
        var ids = Tensor.FromArray(new float[] { 0, 1, 1 }, 1, 3);
        var acc = Metric.Accuracy;
        acc.Update(probs, ids, Recur.Layers.SequenceMask.FromLengths(new[] { 2 }, 3));
        Assert.Equal(1.0, acc.Result());
        var err = Metric.MeanAbsoluteError;
        err.Update(Tensor.FromArray(new float[] { 1, 2, 50 }, 1, 3, 1), Tensor.FromArray(new float[] { 1, 1, 0 }, 1, 3, 1), SequenceMask.FromLengths(new[] { 2 }, 3));
        Assert.Equal(0.5, err.Result(), 10);
    }
}
