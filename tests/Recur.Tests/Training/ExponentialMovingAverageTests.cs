using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Training;

public sealed class ExponentialMovingAverageTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-ema-").FullName;
    private readonly (Tensor X, Tensor Y) _data = Models.ToyData.SignOfSum(40, 5, seed: 4);
    private readonly (Tensor X, Tensor Y) _validation = Models.ToyData.SignOfSum(16, 5, seed: 5);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Model()
    {
        var m = new Sequential(3, new Lstm(5, new RecurrentOptions { Dropout = 0f }), new Dropout(0.2f), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Adam(2e-2f), Loss.BinaryCrossEntropy(fromLogits: true));
        return m;
    }

    private static float[] Weights(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    /// <summary>Records the (raw) weights after every batch.</summary>
    private sealed class Recorder : Callback
    {
        public List<float[]> AfterBatch { get; } = [];
        public float[] AtStart { get; private set; } = [];

        public override void OnTrainBegin() => AtStart = Weights(Model);

        public override void OnBatchEnd(int batch, IReadOnlyDictionary<string, double> logs) => AfterBatch.Add(Weights(Model));
    }

    [Theory]
    [InlineData(0.99)]
    [InlineData(0.5)]
    [InlineData(0.0)]
    public void After_training_the_model_holds_the_average_of_every_batch_weights_by_the_rule(double momentum)
    {
        var model = Model();
        var ema = new ExponentialMovingAverage(momentum);
        var recorder = new Recorder();
        model.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [recorder, ema], verbose: Verbosity.Silent);

        // a₀ = the weights at the start; a_t = d_t·a + (1 − d_t)·w_t, d_t = min(momentum, (1 + t)/(10 + t)).
        var expected = recorder.AtStart.ToArray();
        for (int t = 1; t <= recorder.AfterBatch.Count; t++)
        {
            float d = (float)Math.Min(momentum, (1.0 + t) / (10.0 + t)), e = 1f - d;
            var w = recorder.AfterBatch[t - 1];
            for (int i = 0; i < expected.Length; i++) expected[i] = expected[i] * d + w[i] * e;
        }
        Assert.Equal(15, ema.Updates);
        Assert.Equal(expected, Weights(model));
        if (momentum == 0) Assert.Equal(recorder.AfterBatch[^1], Weights(model));
        else Assert.NotEqual(recorder.AfterBatch[^1], Weights(model));
    }

    [Fact]
    public void The_batches_train_the_raw_weights_exactly_as_without_the_average()
    {
        var plain = Model();
        var plainHistory = plain.Fit(_data.X, _data.Y, epochs: 4, batchSize: 8, callbacks: [new Recorder()], verbose: Verbosity.Silent);
        var averaged = Model();
        var recorder = new Recorder();
        var history = averaged.Fit(_data.X, _data.Y, epochs: 4, batchSize: 8, callbacks: [new ExponentialMovingAverage(0.9), recorder], verbose: Verbosity.Silent);

        Assert.Equal(Weights(plain), recorder.AfterBatch[^1]);
        Assert.Equal(plainHistory["loss"], history["loss"]);
    }

    [Fact]
    public void Validation_and_early_stopping_see_the_averaged_weights()
    {
        var model = Model();
        var stopping = new EarlyStopping("val_loss", patience: 10, restoreBestWeights: true);
        var history = model.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, validationData: _validation,
            callbacks: [new ExponentialMovingAverage(0.9), stopping], verbose: Verbosity.Silent);

        // The model left at the end is the best epoch's averages; evaluating them gives that epoch's val_loss.
        double best = history["val_loss"].Min();
        Assert.Equal(history["val_loss"][stopping.BestEpoch], best);
        Assert.Equal(best, model.Evaluate(_validation.X, _validation.Y, batchSize: 32)["loss"], 12);
    }

    [Fact]
    public void A_resumed_run_continues_the_averages_and_the_raw_weights_exactly()
    {
        var straight = Model();
        var straightHistory = straight.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, validationData: _validation,
            callbacks: [new ExponentialMovingAverage(0.9)], verbose: Verbosity.Silent);

        var crashed = Model();
        Assert.Throws<IOException>(() => crashed.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, validationData: _validation,
            callbacks: [new BackupAndRestore(_dir), new ExponentialMovingAverage(0.9), new Cli.ResumeTests.CrashAt(3)], verbose: Verbosity.Silent));
        var resumed = Model();
        var history = resumed.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, validationData: _validation,
            callbacks: [new BackupAndRestore(_dir), new ExponentialMovingAverage(0.9), new Cli.ResumeTests.CrashAt(-1)], verbose: Verbosity.Silent);

        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(straightHistory["val_loss"], history["val_loss"]);
        Assert.Equal(straightHistory["loss"], history["loss"]);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void A_momentum_outside_zero_to_one_is_refused_by_name(double momentum)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ExponentialMovingAverage(momentum));
        Assert.Equal("momentum", e.ParamName);
        Assert.Contains("[0, 1)", e.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(15)]
    [InlineData(17)]
    [InlineData(67)]
    public void The_blend_is_the_scalar_rule_at_every_length(int n)
    {
        var random = new Random(n);
        var average = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var weights = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var expected = average.Select((a, i) => a * 0.93f + weights[i] * (1f - 0.93f)).ToArray();
        ExponentialMovingAverage.Blend(average, weights, 0.93f);
        Assert.Equal(expected, average);
    }
}
