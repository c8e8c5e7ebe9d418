using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Models;

public sealed class CallbackTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-cb-").FullName;
    private readonly (Tensor X, Tensor Y) _data = ToyData.SignOfSum(40, 4, seed: 1);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private Sequential Model(Optimizer optimizer)
    {
        var m = new Sequential(2, new SimpleRnn(4), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(optimizer, Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        return m;
    }

    private static float[] Weights(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    [Fact]
    public void Early_stopping_stops_after_patience_and_restores_the_best_weights()
    {
        // A huge learning rate makes the validation loss worse after the first epoch.
        var m = Model(new Sgd(200f));
        var snapshots = new List<float[]>();
        var stop = new EarlyStopping(monitor: "val_loss", patience: 2, restoreBestWeights: true);
        var snap = new LambdaCallback { EpochEnd = (_, _) => snapshots.Add(Weights(m)) };
        var h = m.Fit(_data.X, _data.Y, epochs: 20, batchSize: 8, validationSplit: 0.25, callbacks: [snap, stop], verbose: Verbosity.Silent);
        int best = Enumerable.Range(0, h.Epochs).MinBy(e => h["val_loss"][e]);
        Assert.Equal(best, stop.BestEpoch);
        Assert.Equal(best + 3, h.Epochs); // the best epoch, then `patience` epochs without improvement (Keras)
        Assert.Equal(h.Epochs, snapshots.Count);
        Assert.Equal(snapshots[best], Weights(m));          // restored: the weights val_loss[best] was measured on
        Assert.NotEqual(snapshots[^1], Weights(m));
    }

    [Fact]
    public void Early_stopping_on_a_missing_key_lists_the_logged_ones()
    {
        var m = Model(new Sgd(0.1f));
        var e = Assert.Throws<InvalidOperationException>(() =>
            m.Fit(_data.X, _data.Y, epochs: 2, callbacks: [new EarlyStopping("val_loss")], verbose: Verbosity.Silent));
        Assert.Contains("'val_loss'", e.Message);
        Assert.Contains("binary_accuracy", e.Message);
    }

    [Fact]
    public void Model_checkpoint_saves_every_epoch_or_only_improvements()
    {
        // A huge learning rate: some epochs train worse than an earlier one.
        const int Epochs = 6;
        var m = Model(new Sgd(200f));
        string every = Path.Combine(_dir, "e{epoch}.recur");
        string best = Path.Combine(_dir, "best.recur");
        var bestCb = new ModelCheckpoint(best, monitor: "loss", saveBestOnly: true);
        var contents = new List<byte[]>(); // best.recur after each epoch
        var watch = new LambdaCallback { EpochEnd = (_, _) => contents.Add(File.ReadAllBytes(best)) };
        var h = m.Fit(_data.X, _data.Y, epochs: Epochs, batchSize: 8, callbacks: [new ModelCheckpoint(every, saveBestOnly: false, monitor: "loss"), bestCb, watch], verbose: Verbosity.Silent);
        for (int e = 1; e <= Epochs; e++) Assert.True(File.Exists(Path.Combine(_dir, $"e{e}.recur")));
        var improved = Enumerable.Range(1, Epochs - 1).Select(e => h["loss"][e] < Enumerable.Range(0, e).Min(k => h["loss"][k])).ToArray();
        Assert.Contains(false, improved);
        for (int e = 1; e < Epochs; e++)
            Assert.True(improved[e - 1] == !contents[e].AsSpan().SequenceEqual(contents[e - 1]), $"epoch {e}: improved {improved[e - 1]}, but best.recur was {(improved[e - 1] ? "not " : "")}rewritten");
        var saved = Recur.Models.Model.Load(best);
        int bestEpoch = Enumerable.Range(0, Epochs).MinBy(e => h["loss"][e]);
        var e3 = Recur.Models.Model.Load(Path.Combine(_dir, $"e{bestEpoch + 1}.recur"));
        Assert.Equal(Weights(e3), Weights(saved));
    }

    [Fact]
    public void Reduce_lr_on_plateau_multiplies_the_rate_after_patience()
    {
        var m = Model(new Sgd(1e-12f)); // nothing improves by minDelta
        var h = m.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8,
            callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 0.5f, patience: 2, minDelta: 1e-3)], verbose: Verbosity.Silent);
        // The logged lr is the one each epoch trained with. Epoch 0 sets the best; epochs 1 and 2
        // do not improve, so the rate halves at the end of epoch 2; epochs 3 and 4 wait again.
        Assert.Equal(new[] { 1e-12, 1e-12, 1e-12, 0.5e-12, 0.5e-12 }, h["lr"].Select(v => Math.Round(v * 1e16) / 1e16));
    }

    [Fact]
    public void Schedules_set_the_rate_before_every_epoch()
    {
        double[] Rates(LearningRateScheduler s)
        {
            var m = Model(new Sgd(0.1f));
            return m.Fit(_data.X, _data.Y, epochs: 4, batchSize: 8, callbacks: [s], verbose: Verbosity.Silent)["lr"].ToArray();
        }
        Assert.Equal(new[] { 0.1, 0.1, 0.01, 0.01 }, Rates(LearningRateScheduler.Step(2, 0.1f)), new ToleranceComparer(1e-7));
        Assert.Equal(new[] { 0.1, 0.05, 0.025, 0.0125 }, Rates(LearningRateScheduler.Exponential(0.5f)), new ToleranceComparer(1e-7));
        Assert.Equal(new[] { 0.1, 0.05, 0.0, 0.0 }, Rates(LearningRateScheduler.Cosine(2)), new ToleranceComparer(1e-7));
    }

    private sealed class ToleranceComparer(double tol) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tol;
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void Csv_logger_writes_a_header_and_one_row_per_epoch()
    {
        var m = Model(new Sgd(0.1f));
        string path = Path.Combine(_dir, "log.csv");
        var h = m.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, validationSplit: 0.25, callbacks: [new CsvLogger(path)], verbose: Verbosity.Silent);
        var lines = File.ReadAllLines(path);
        Assert.Equal("epoch,loss,binary_accuracy,val_loss,val_binary_accuracy,lr", lines[0]);
        Assert.Equal(4, lines.Length);
        var last = lines[3].Split(',');
        Assert.Equal("3", last[0]);
        Assert.Equal(h["val_loss"][2], double.Parse(last[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Terminate_on_nan_stops_at_the_first_non_finite_loss()
    {
        var m = new Sequential(1, new SimpleRnn(4, activation: RnnActivation.Relu), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(1e6f), Loss.MeanSquaredError());
        var y = Tensor.Full(1e6f, 40, 1);
        var stop = new TerminateOnNaN();
        var h = m.Fit(_data.X, y, epochs: 50, batchSize: 8, callbacks: [stop], verbose: Verbosity.Silent);
        Assert.True(stop.StoppedAtBatch >= 0);
        Assert.True(h.Epochs < 50);
        Assert.False(double.IsFinite(h["loss"][^1]));
    }

    [Fact]
    public void Non_finite_gradients_without_terminate_on_nan_are_reported()
    {
        var m = new Sequential(1, new SimpleRnn(4, activation: RnnActivation.Relu), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(1e6f), Loss.MeanSquaredError());
        Assert.Throws<NonFiniteGradientException>(() =>
            m.Fit(_data.X, Tensor.Full(1e6f, 40, 1), epochs: 50, batchSize: 8, verbose: Verbosity.Silent));
    }

    [Fact]
    public void Cancellation_stops_after_the_current_batch_and_logs_the_epoch()
    {
        var m = Model(new Sgd(0.1f));
        using var cts = new CancellationTokenSource();
        int batches = 0;
        var count = new LambdaCallback { BatchEnd = (b, _) => { if (++batches == 2) cts.Cancel(); } };
        var h = m.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, callbacks: [count], verbose: Verbosity.Silent, cancellationToken: cts.Token);
        Assert.Equal(2, batches);
        Assert.Equal(1, h.Epochs);
    }

    [Fact]
    public void Progress_prints_keras_style_lines()
    {
        var m = Model(new Sgd(0.1f));
        var bar = new StringWriter();
        m.Output = bar;
        m.Fit(_data.X, _data.Y, epochs: 2, batchSize: 8, verbose: Verbosity.ProgressBar);
        string s = bar.ToString();
        Assert.Contains("Epoch 2/2", s);
        Assert.Matches(@"5/5 ━{20} \d+m?s \d+ms/step - loss: \d\.\d{4} - binary_accuracy: \d\.\d{4}", s);

        var lines = new StringWriter();
        m.Output = lines;
        m.Fit(_data.X, _data.Y, epochs: 2, batchSize: 8, verbose: Verbosity.EpochLine);
        var printed = lines.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, printed.Length);
        Assert.Matches(@"^Epoch 1/2 - \d+m?s - loss: \d\.\d{4} - binary_accuracy: \d\.\d{4} - lr: 0\.1000$", printed[0]);

        var silent = new StringWriter();
        m.Output = silent;
        m.Fit(_data.X, _data.Y, epochs: 1, batchSize: 8, verbose: Verbosity.Silent);
        Assert.Equal("", silent.ToString());
    }
}
