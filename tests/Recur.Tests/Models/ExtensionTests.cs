using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Tests.Testing;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>y = x ⊙ g + shift: a user-defined layer with a learned gain, a configured shift and its own cache per call.</summary>
public sealed class ScaleShift(float shift, string? name = null) : Layer(name)
{
    private Parameter? _gain; // (F)

    public float Shift { get; } = shift;

    protected override void BuildCore(int[] inputShape, SeededRandom random)
    {
        var g = Tensor.Zeros(inputShape[^1]);
        for (int i = 0; i < g.Length; i++) g.Span[i] = 1f + random.Uniform(-0.5f, 0.5f);
        _gain = AddParameter("gain", g);
    }

    public override int[] ComputeOutputShape(int[] inputShape) => (int[])inputShape.Clone();

    public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false)
    {
        EnsureBuilt(input);
        SaveForBackward(input.Clone());
        return Infer(input, mask);
    }

    public override Tensor Infer(Tensor input, SequenceMask? mask = null)
    {
        EnsureBuilt(input);
        var y = input.Clone();
        int f = _gain!.Value.Length;
        for (int i = 0; i < y.Length; i++) y.Span[i] = y.Span[i] * _gain.Value.Span[i % f] + Shift;
        return y;
    }

    public override Tensor Backward(Tensor gradOutput)
    {
        var x = TakeForBackward<Tensor>();
        int f = _gain!.Value.Length;
        var dx = gradOutput.Clone();
        for (int i = 0; i < dx.Length; i++)
        {
            _gain.Grad.Span[i % f] += gradOutput.Span[i] * x.Span[i];
            dx.Span[i] *= _gain.Value.Span[i % f];
        }
        return dx;
    }

    public override JsonObject GetConfig() => new() { ["shift"] = Shift };
}

/// <summary>Mean (p − y)⁴: a user-defined loss with a configured scale.</summary>
public sealed class QuarticLoss(float scale) : Loss
{
    public float Scale { get; } = scale;

    public override string Name => "quartic";

    protected override double Evaluate(ReadOnlySpan<float> prediction, float target, Span<float> gradient)
    {
        double d = (double)prediction[0] - target;
        gradient[0] = (float)(4 * Scale * d * d * d);
        return Scale * d * d * d * d;
    }

    public override JsonObject? GetConfig() => new() { ["scale"] = Scale };
}

public class ExtensionTests
{
    static ExtensionTests()
    {
        TypeRegistry.RegisterLayer(c => new ScaleShift(c.Float("shift"), c.LayerName));
        TypeRegistry.RegisterLoss(c => new QuarticLoss(c.Float("scale")));
    }

    [Fact]
    public void A_user_layer_and_loss_train_save_and_load_like_built_in_ones()
    {
        var (x, y) = ToyData.SignOfSum(64, 4, seed: 3);
        var model = new Sequential(5UL, new ScaleShift(0.25f, name: "scale"), new Lstm(4), new Dense(1)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), new QuarticLoss(2f));
        model.Build(4, 1);
        var gain = model.Layers[0].GetParameter("gain").Value.ToArray();
        var h = model.Fit(x, y, epochs: 5, batchSize: 16, verbose: Verbosity.Silent);
        Assert.True(h["loss"][^1] < h["loss"][0]);
        Assert.NotEqual(gain, model.Layers[0].GetParameter("gain").Value.ToArray()); // the user layer's weight trained
        string path = Path.Combine(Path.GetTempPath(), $"recur-ext-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            var layer = Assert.IsType<ScaleShift>(loaded.Layers[0]);
            Assert.Equal(0.25f, layer.Shift);
            Assert.Equal(2f, Assert.IsType<QuarticLoss>(loaded.Loss).Scale);
            Assert.Equal(model.Predict(x).ToArray(), loaded.Predict(x).ToArray());
            // The optimizer state came along: one more epoch gives the same weights on both.
            loaded.Output = TextWriter.Null;
            model.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false, verbose: Verbosity.Silent);
            loaded.Fit(x, y, epochs: 1, batchSize: 16, shuffle: false, verbose: Verbosity.Silent);
            Assert.Equal(model.Parameters.SelectMany(p => p.Value.ToArray()), loaded.Parameters.SelectMany(p => p.Value.ToArray()));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_user_layer_that_masks_from_the_raw_input_masks_the_targets_as_a_built_in_one()
    {
        // Steps whose first feature is negative are padding: their label 99 is junk, out of range for 3 classes.
        const int N = 8, T = 6, F = 2;
        var random = new SeededRandom(21);
        var x = Tensor.Zeros(N, T, F);
        var y = Tensor.Zeros(N, T);
        for (int i = 0; i < N; i++)
            for (int t = 0; t < T; t++)
            {
                bool real = t < 2 + i % 4;
                x[i, t, 0] = real ? random.Uniform(0f, 1f) : -1f;
                x[i, t, 1] = random.Uniform(-1f, 1f);
                y[i, t] = real ? i % 3 : 99f;
            }
        var model = new Sequential(4UL, new NegativeStepMask(), new Lstm(5, returnSequences: true), new Dense(3)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), Loss.SparseCategoricalCrossEntropy(fromLogits: true));
        var h = model.Fit(x, y, epochs: 2, batchSize: 4, verbose: Verbosity.Silent);
        Assert.True(double.IsFinite(h["loss"][^1]));
        // The junk labels are refused where the steps are real, naming the target.
        y[0, 0] = 99f;
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, epochs: 1, batchSize: 4, verbose: Verbosity.Silent));
        Assert.Contains("99", e.Message);
    }

    [Fact]
    public void A_user_layer_passes_finite_differences_inside_a_model()
    {
        var layer = new ScaleShift(0.5f);
        layer.Build([3]);
        LayerGradientCheck.Check(layer, GradientCheck.RandomTensor(new SeededRandom(3), 1f, 4, 3));
    }

    [Fact]
    public void Frozen_parameters_stay_frozen_after_save_and_load()
    {
        var (x, y) = ToyData.SignOfSum(32, 4, seed: 1);
        var lstm = new Lstm(3, name: "lstm");
        var model = new Sequential(2UL, lstm, new Dense(1, name: "head")) { Output = TextWriter.Null };
        lstm.Trainable = false; // before building: applies when the weights are made
        model.Compile(new Adam(0.05f), Loss.BinaryCrossEntropy(fromLogits: true));
        model.Build(4, 1);
        var before = lstm.Parameters.Select(p => p.Value.ToArray()).ToArray();
        model.Fit(x, y, epochs: 2, batchSize: 8, verbose: Verbosity.Silent);
        Assert.Equal(before, lstm.Parameters.Select(p => p.Value.ToArray()).ToArray());
        string path = Path.Combine(Path.GetTempPath(), $"recur-frozen-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.False(loaded.Layers[0].Trainable);
            Assert.True(loaded.Layers[1].Trainable);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_built_in_name_cannot_be_taken_and_an_unregistered_type_is_named()
    {
        var e = Assert.Throws<ArgumentException>(() => TypeRegistry.RegisterLayer(c => new ScaleShift(0f), "Dense"));
        Assert.Contains("'Dense' is a built-in layer type", e.Message);
        var model = new Sequential(new Unregistered());
        model.Build(3);
        var path = Path.Combine(Path.GetTempPath(), $"recur-unreg-{Guid.NewGuid():N}.recur");
        var ex = Assert.Throws<NotSupportedException>(() => model.Save(path));
        Assert.Contains("Unregistered", ex.Message);
        Assert.False(File.Exists(path));
    }

    /// <summary>The identity, whose mask marks the steps with a negative first feature as padding.</summary>
    private sealed class NegativeStepMask() : Layer(null)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

        public override SequenceMask? ComputeMask(Tensor input, SequenceMask? inputMask)
        {
            int B = input.Size(0), T = input.Size(1), F = input.Size(2);
            var valid = new bool[B * T];
            for (int k = 0; k < valid.Length; k++) valid[k] = input.Span[k * F] >= 0f && (inputMask?.Flags[k] ?? true);
            return new SequenceMask(valid, B, T);
        }

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;

        public override Tensor Backward(Tensor gradOutput) => gradOutput;

        public override JsonObject GetConfig() => new();
    }

    private sealed class Unregistered() : Layer(null)
    {
        public override int[] ComputeOutputShape(int[] inputShape) => inputShape;

        public override Tensor Forward(Tensor input, SequenceMask? mask = null, bool training = false) => input;

        public override Tensor Backward(Tensor gradOutput) => gradOutput;

        public override JsonObject GetConfig() => new();
    }
}

/// <summary>Plain SGD with a configured scale on the step: a user-defined optimizer.</summary>
public sealed class ScaledSgd(float learningRate, float scale) : Optimizer(learningRate)
{
    public float Scale { get; } = scale;

    public override string Name => "scaled_sgd";

    protected override string[] StateNames => [];

    protected override void Update(Span<float> value, ReadOnlySpan<float> grad, float[][] buffers, long step)
    {
        for (int i = 0; i < value.Length; i++) value[i] -= LearningRate * Scale * grad[i];
    }

    public override JsonObject? GetConfig() => new() { ["learning_rate"] = LearningRate, ["scale"] = Scale };
}

/// <summary>The fraction of predictions above zero: a user-defined metric.</summary>
public sealed class PositiveRate : Metric
{
    private double _positive;
    private long _count;

    public override string Name => "positive_rate";

    public override void Reset() => (_positive, _count) = (0, 0);

    public override void Update(Tensor prediction, Tensor target, SequenceMask? mask)
    {
        foreach (float p in prediction.Span) _positive += p > 0 ? 1 : 0;
        _count += prediction.Length;
    }

    public override double Result() => _count == 0 ? double.NaN : _positive / _count;
}

public class ExtensionOptimizerTests
{
    static ExtensionOptimizerTests()
    {
        TypeRegistry.RegisterOptimizer(c => new ScaledSgd(c.Float("learning_rate"), c.Float("scale")));
        TypeRegistry.RegisterMetric(() => new PositiveRate());
    }

    [Fact]
    public void A_user_optimizer_and_metric_train_save_and_load()
    {
        var (x, y) = ToyData.SignOfSum(48, 4, seed: 2);
        var model = new Sequential(3UL, new Lstm(3), new Dense(1)) { Output = TextWriter.Null };
        model.Compile(new ScaledSgd(0.5f, 0.5f), Loss.MeanSquaredError(), new PositiveRate());
        var h = model.Fit(x, y, epochs: 3, batchSize: 16, verbose: Verbosity.Silent);
        Assert.True(h["loss"][^1] < h["loss"][0]);
        Assert.InRange(h["positive_rate"][^1], 0, 1);
        string path = Path.Combine(Path.GetTempPath(), $"recur-opt-{Guid.NewGuid():N}.recur");
        try
        {
            model.Save(path);
            var loaded = Model.Load(path);
            Assert.Equal(0.5f, Assert.IsType<ScaledSgd>(loaded.Optimizer).Scale);
            Assert.IsType<PositiveRate>(Assert.Single(loaded.Metrics));
            Assert.Equal(model.Evaluate(x, y)["positive_rate"], loaded.Evaluate(x, y)["positive_rate"]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
