using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Models;

public class SequentialTrainingTests
{
    private static Sequential SignModel(ulong seed) => new(seed, new Lstm(8), new Dense(1)) { Output = TextWriter.Null };

    [Fact]
    public void Lstm_learns_the_sign_of_a_sum()
    {
        var (x, y) = ToyData.SignOfSum(512, 10, seed: 1);
        var (xt, yt) = ToyData.SignOfSum(256, 10, seed: 2);
        var model = SignModel(3);
        model.Compile(new Adam(0.02f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        var before = model.Evaluate(xt, yt)["binary_accuracy"];
        model.Fit(x, y, epochs: 12, batchSize: 32, verbose: Verbosity.Silent);
        var after = model.Evaluate(xt, yt);
        Assert.True(after["binary_accuracy"] > 0.9, $"test accuracy {after["binary_accuracy"]:F3} (before training {before:F3})");
        Assert.True(after["loss"] < 0.3, $"test loss {after["loss"]:F3}");
    }

    [Fact]
    public void Training_is_bit_identical_for_the_same_seed_and_differs_for_another()
    {
        var (x, y) = ToyData.SignOfSum(96, 6, seed: 4);
        float[] Train(ulong seed, out History h)
        {
            var m = new Sequential(seed, new Gru(6, returnSequences: true), new Dropout(0.2f), new Lstm(5), new Dense(1)) { Output = TextWriter.Null };
            m.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
            h = m.Fit(x, y, epochs: 3, batchSize: 16, validationSplit: 0.25, verbose: Verbosity.Silent);
            return m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        }
        var a = Train(7, out var ha);
        var b = Train(7, out var hb);
        var c = Train(8, out _);
        Assert.Equal(a, b); // float equality, element by element: bit-identical runs
        Assert.Equal(ha["val_loss"], hb["val_loss"]);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void History_logs_loss_metrics_validation_and_learning_rate_per_epoch()
    {
        var (x, y) = ToyData.SignOfSum(80, 5, seed: 5);
        var model = SignModel(1);
        model.Compile(new Sgd(0.1f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy, Metric.Accuracy);
        var h = model.Fit(x, y, epochs: 3, batchSize: 10, validationSplit: 0.2, verbose: Verbosity.Silent);
        Assert.Equal(3, h.Epochs);
        Assert.Equal(new[] { "loss", "binary_accuracy", "accuracy", "val_loss", "val_binary_accuracy", "val_accuracy", "lr" }, h.Keys);
        Assert.All(h["lr"], lr => Assert.Equal(0.1, lr, 6));
        // The validation numbers are those of Evaluate on the held-out tail (last 20 %, before shuffling).
        var tail = Enumerable.Range(64, 16).ToArray();
        var eval = model.Evaluate(Take(x, tail), Take(y, tail), batchSize: 32);
        Assert.Equal(eval["loss"], h["val_loss"][^1], 6);
        Assert.Equal(eval["binary_accuracy"], h["val_binary_accuracy"][^1], 6);
    }

    [Fact]
    public void Validation_data_is_used_when_given()
    {
        var (x, y) = ToyData.SignOfSum(64, 5, seed: 6);
        var (xv, yv) = ToyData.SignOfSum(20, 5, seed: 7);
        var model = SignModel(2);
        model.Compile(new Sgd(0.1f), Loss.BinaryCrossEntropy(fromLogits: true));
        var h = model.Fit(x, y, epochs: 2, batchSize: 16, validationData: (xv, yv), verbose: Verbosity.Silent);
        Assert.Equal(model.Evaluate(xv, yv)["loss"], h["val_loss"][^1], 6);
    }

    [Fact]
    public void Class_weights_scale_each_sample_loss_like_sample_weights()
    {
        var (x, y) = ToyData.SignOfSum(40, 4, seed: 8);
        var w = new Dictionary<int, float> { [0] = 0.25f, [1] = 3f };
        var sampleWeights = Tensor.FromArray(y.Span.ToArray().Select(v => v == 1 ? 3f : 0.25f).ToArray(), 40);
        float[] Train(bool useClassWeight)
        {
            var m = SignModel(9);
            m.Compile(new Sgd(0.5f), Loss.BinaryCrossEntropy(fromLogits: true));
            if (useClassWeight) m.Fit(x, y, epochs: 2, batchSize: 8, classWeight: w, verbose: Verbosity.Silent);
            else m.Fit(x, y, epochs: 2, batchSize: 8, sampleWeight: sampleWeights, verbose: Verbosity.Silent);
            return m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        }
        var unweighted = SignModel(9);
        unweighted.Compile(new Sgd(0.5f), Loss.BinaryCrossEntropy(fromLogits: true));
        unweighted.Fit(x, y, epochs: 2, batchSize: 8, verbose: Verbosity.Silent);
        var byClass = Train(true);
        Assert.Equal(byClass, Train(false));
        Assert.NotEqual(byClass, unweighted.Parameters.SelectMany(p => p.Value.ToArray()).ToArray());
    }

    [Fact]
    public void Clip_norm_in_compile_bounds_every_update()
    {
        var (x, y) = ToyData.SignOfSum(32, 5, seed: 10);
        var model = SignModel(4);
        model.Compile(new Sgd(1f), Loss.MeanSquaredError(), metrics: null, clipNorm: 0.01f);
        model.Build(5, 1);
        var before = model.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        model.Fit(x, Tensor.Full(50f, 32, 1), epochs: 1, batchSize: 32, shuffle: false, verbose: Verbosity.Silent);
        var after = model.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();
        double step = Math.Sqrt(before.Zip(after, (a, b) => (double)(a - b) * (a - b)).Sum());
        Assert.InRange(step, 0.005, 0.01 + 1e-6); // one SGD step of lr 1 on a gradient clipped to norm 0.01
    }

    [Fact]
    public void Embedding_mask_makes_padding_invisible_to_the_prediction()
    {
        var (x, _, lengths) = ToyData.PaddedTokens(6, 9, vocab: 7, seed: 11);
        var model = new Sequential(12, new Embedding(7, 4, maskZero: true), new Bidirectional(new Gru(5)), new Dense(1));
        var padded = model.Predict(x);
        for (int i = 0; i < 6; i++)
        {
            var trimmed = Tensor.FromArray(x.Span.Slice(i * 9, lengths[i]), 1, lengths[i]);
            var alone = model.Predict(trimmed);
            Assert.Equal(alone.Span[0], padded.Span[i], 5);
        }
    }

    [Fact]
    public void Per_step_targets_use_the_mask_in_the_loss()
    {
        var (x, _, lengths) = ToyData.PaddedTokens(8, 6, vocab: 5, seed: 13);
        var y = Tensor.Zeros(8, 6);
        for (int i = 0; i < 8; i++)
            for (int t = 0; t < 6; t++) y[i, t] = t < lengths[i] ? x[i, t] % 3 : 99f; // 99: junk label on padding
        var model = new Sequential(14, new Embedding(5, 4, maskZero: true), new Lstm(6, returnSequences: true), new Dense(3)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), Loss.SparseCategoricalCrossEntropy(fromLogits: true), Metric.Accuracy);
        var h = model.Fit(x, y, epochs: 2, batchSize: 4, verbose: Verbosity.Silent); // the junk labels would be out of range if counted
        Assert.True(double.IsFinite(h["loss"][^1]));
    }

    private static Tensor Take(Tensor t, int[] rows)
    {
        int w = t.Length / t.Size(0);
        var shape = t.ShapeArray;
        shape[0] = rows.Length;
        var r = Tensor.Zeros(shape);
        for (int i = 0; i < rows.Length; i++) t.Span.Slice(rows[i] * w, w).CopyTo(r.Span.Slice(i * w, w));
        return r;
    }
}
