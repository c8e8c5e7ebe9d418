using Recur.Data;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Training;

public sealed class BackupAndRestoreTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-backup-").FullName;
    private readonly (Tensor X, Tensor Y) _data = Models.ToyData.SignOfSum(48, 5, seed: 3);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Dropout, inter-layer recurrent dropout, shuffling and Adam: every kind of state a resume must restore.</summary>
    private static Sequential Model(int units = 6)
    {
        var m = new Sequential(9, new Lstm(units, new RecurrentOptions { NumLayers = 2, Dropout = 0.3f }), new Dropout(0.25f), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Adam(3e-2f), Loss.BinaryCrossEntropy(fromLogits: true), Metric.BinaryAccuracy);
        return m;
    }

    private static Callback[] Callbacks(string dir, bool backup = true)
    {
        var list = new List<Callback>
        {
            new EarlyStopping("val_loss", patience: 3, restoreBestWeights: true),
            new ReduceLROnPlateau("val_loss", factor: 0.5f, patience: 1, minDelta: 0),
            LearningRateScheduler.Exponential(0.97f),
            new StepBudget(1000),
        };
        if (backup) list.Insert(0, new BackupAndRestore(dir)); // Fit runs it last whatever its place
        return list.ToArray();
    }

    private static float[] Weights(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    /// <summary>Throws at the start of epoch <paramref name="epoch"/>: a crash in the middle of training.</summary>
    private sealed class CrashAt(int epoch) : Callback
    {
        public override void OnEpochBegin(int e)
        {
            if (e == epoch) throw new IOException("simulated crash");
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    public void A_run_resumed_after_a_crash_ends_with_the_weights_of_an_uninterrupted_run(int crashEpoch)
    {
        var straight = Model();
        var straightHistory = straight.Fit(_data.X, _data.Y, epochs: 7, batchSize: 8, validationSplit: 0.25, callbacks: Callbacks(_dir, backup: false), verbose: Verbosity.Silent);

        var crashed = Model();
        Assert.Throws<IOException>(() => crashed.Fit(_data.X, _data.Y, epochs: 7, batchSize: 8, validationSplit: 0.25,
            callbacks: [.. Callbacks(_dir), new CrashAt(crashEpoch)], verbose: Verbosity.Silent));
        Assert.True(BackupAndRestore.Exists(_dir));

        var resumed = Model(); // a fresh process would build the same model from the same seed
        var backup = new BackupAndRestore(_dir);
        var callbacks = Callbacks(_dir);
        callbacks[0] = backup;
        var history = resumed.Fit(_data.X, _data.Y, epochs: 7, batchSize: 8, validationSplit: 0.25, callbacks: [.. callbacks, new CrashAt(-1)], verbose: Verbosity.Silent);

        Assert.Equal(crashEpoch, backup.ResumedAtEpoch);
        Assert.Equal(Weights(straight), Weights(resumed));
        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        Assert.Equal(straightHistory.Epochs, history.Epochs);
        Assert.Equal(straightHistory["val_loss"], history["val_loss"]);
        Assert.Equal(straightHistory["lr"], history["lr"]);
        Assert.False(BackupAndRestore.Exists(_dir)); // removed when training ends normally
    }

    [Fact]
    public void The_check_can_fail_a_resume_that_restores_no_random_state_differs()
    {
        // Restarting from the backup's epoch without its random streams (a fresh model) diverges:
        // what the test above asserts is not true by accident.
        var straight = Model();
        straight.Fit(_data.X, _data.Y, epochs: 4, batchSize: 8, verbose: Verbosity.Silent);
        var twoPart = Model();
        twoPart.Fit(_data.X, _data.Y, epochs: 2, batchSize: 8, verbose: Verbosity.Silent);
        var fresh = Model();
        fresh.Build(5, 1);
        for (int i = 0; i < fresh.Parameters.Count; i++) twoPart.Parameters[i].Value.Span.CopyTo(fresh.Parameters[i].Value.Span);
        fresh.Optimizer!.ImportState(fresh.Parameters, twoPart.Optimizer!.ExportState(twoPart.Parameters));
        fresh.Fit(_data.X, _data.Y, epochs: 2, batchSize: 8, verbose: Verbosity.Silent);
        Assert.NotEqual(Weights(straight), Weights(fresh));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)] // an LSTM carries its cell state beside h
    public void A_stateful_stream_resumes_with_its_carried_states_and_reading_position(bool lstm)
    {
        var tokens = Enumerable.Range(0, 400).Select(i => (i * 5 + i / 7) % 13).ToArray();
        var stream = new TokenStream(tokens, rows: 3, steps: 10); // 13 chunks per pass
        Sequential Lm()
        {
            Layer cell = lstm ? new Lstm(8, returnSequences: true) : new Gru(8, returnSequences: true);
            var m = new Sequential(4, new Embedding(13, 4), cell, new Dense(13)) { Output = TextWriter.Null };
            m.Compile(new Adam(1e-2f), Loss.SparseCategoricalCrossEntropy(fromLogits: true));
            m.Build(-1);
            m.Stateful = true;
            return m;
        }
        var straight = Lm();
        straight.Fit(stream, epochs: 6, stepsPerEpoch: 5, verbose: Verbosity.Silent);
        var crashed = Lm();
        Assert.Throws<IOException>(() => crashed.Fit(stream, epochs: 6, stepsPerEpoch: 5, callbacks: [new BackupAndRestore(_dir), new CrashAt(3)], verbose: Verbosity.Silent));
        var resumed = Lm();
        resumed.Fit(stream, epochs: 6, stepsPerEpoch: 5, callbacks: [new BackupAndRestore(_dir), new CrashAt(-1)], verbose: Verbosity.Silent);
        Assert.Equal(Weights(straight), Weights(resumed));
        var (h, c) = straight.RecurrentLayers.Single().Carried;
        var (hResumed, cResumed) = resumed.RecurrentLayers.Single().Carried;
        Assert.Equal(h!.ToArray(), hResumed!.ToArray());
        Assert.Equal(lstm, c is not null);
        if (lstm) Assert.Equal(c!.ToArray(), cResumed!.ToArray());
    }

    /// <summary>Keeps a number, a text and a tensor that change every epoch, as a user's callback may.</summary>
    private sealed class Diary : Callback
    {
        public string Text = "", LoadedText = "";
        public double Number, LoadedNumber;
        public float[] Values = [0, 0], LoadedValues = [];

        public override void OnEpochEnd(int epoch, IReadOnlyDictionary<string, double> logs)
        {
            Text += $"epoch {epoch}; ";
            Number = epoch * 1.5;
            Values = [epoch, -epoch];
        }

        public override void SaveState(CallbackState state)
        {
            state.Set("text", Text);
            state.Set("number", Number);
            state.Set("values", Tensor.FromArray(Values, 2));
        }

        public override void LoadState(CallbackState state)
        {
            (Text, LoadedText) = (state.GetText("text"), state.GetText("text"));
            (Number, LoadedNumber) = (state.GetNumber("number"), state.GetNumber("number"));
            LoadedValues = state.GetTensor("values").ToArray();
        }
    }

    [Fact]
    public void A_callbacks_texts_numbers_and_tensors_come_back_with_the_backup()
    {
        var crashed = Model();
        Assert.Throws<IOException>(() => crashed.Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, callbacks: [new BackupAndRestore(_dir), new Diary(), new CrashAt(3)], verbose: Verbosity.Silent));
        var diary = new Diary();
        Model().Fit(_data.X, _data.Y, epochs: 5, batchSize: 8, callbacks: [new BackupAndRestore(_dir), diary, new CrashAt(-1)], verbose: Verbosity.Silent);
        Assert.Equal("epoch 0; epoch 1; epoch 2; ", diary.LoadedText);
        Assert.Equal(3.0, diary.LoadedNumber);
        Assert.Equal([2f, -2f], diary.LoadedValues);
        Assert.Equal("epoch 0; epoch 1; epoch 2; epoch 3; epoch 4; ", diary.Text);
    }

    [Fact]
    public void A_backup_of_another_model_or_other_callbacks_is_refused_before_any_weight_changes()
    {
        var crashed = Model();
        Assert.Throws<IOException>(() => crashed.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [new BackupAndRestore(_dir, "a"), new CrashAt(1)], verbose: Verbosity.Silent));

        var wider = Model(units: 7);
        wider.Build(5, 1);
        var before = Weights(wider);
        var e = Assert.Throws<BackupMismatchException>(() => wider.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [new BackupAndRestore(_dir, "a"), new CrashAt(-1)], verbose: Verbosity.Silent));
        Assert.Contains("shape", e.Message);
        Assert.Equal(before, Weights(wider));

        var other = Assert.Throws<BackupMismatchException>(() => Model().Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [new BackupAndRestore(_dir, "b"), new CrashAt(-1)], verbose: Verbosity.Silent));
        Assert.Contains("settings 'a'", other.Message);
        var callbacks = Assert.Throws<BackupMismatchException>(() => Model().Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [new BackupAndRestore(_dir, "a"), new StepBudget(9), new CrashAt(-1)], verbose: Verbosity.Silent));
        Assert.Contains("StepBudget", callbacks.Message);
        string crash = typeof(CrashAt).FullName!, budget = typeof(StepBudget).FullName!, backup = typeof(BackupAndRestore).FullName!;
        Assert.EndsWith($" was written with the callbacks [{crash}, {backup}]; this run has [{budget}, {crash}, {backup}].", callbacks.Message);
    }

    [Fact]
    public void A_save_killed_half_way_leaves_the_previous_backup_whole()
    {
        var crashed = Model();
        Assert.Throws<IOException>(() => crashed.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [new BackupAndRestore(_dir), new CrashAt(2)], verbose: Verbosity.Silent));
        var good = File.ReadAllBytes(Path.Combine(_dir, BackupAndRestore.FileName));
        // What a kill during the next save leaves: a partial temporary file beside the backup.
        string stale = Path.Combine(_dir, $".{BackupAndRestore.FileName}.0123.tmp");
        File.WriteAllBytes(stale, good[..(good.Length / 2)]);
        var backup = new BackupAndRestore(_dir);
        Model().Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: [backup, new CrashAt(-1)], verbose: Verbosity.Silent);
        Assert.Equal(2, backup.ResumedAtEpoch);
        Assert.False(File.Exists(stale));
    }
}
