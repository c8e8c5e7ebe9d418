using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>
/// A backup that is damaged or belongs elsewhere is refused with what is wrong, before any weight
/// changes; and the options: another file name, keeping the backup, resuming a run that had stopped.
/// </summary>
public sealed class BackupRefusalTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-backup-bad-").FullName;
    private readonly (Tensor X, Tensor Y) _data = Models.ToyData.SignOfSum(24, 4, seed: 5);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string BackupPath => Path.Combine(_dir, BackupAndRestore.FileName);

    private static Sequential Model()
    {
        var m = new Sequential(4, new SimpleRnn(3), new Dense(1)) { Output = TextWriter.Null };
        m.Compile(new Sgd(0.1f), Loss.BinaryCrossEntropy(fromLogits: true));
        return m;
    }

    private static float[] Weights(Model m) => m.Parameters.SelectMany(p => p.Value.ToArray()).ToArray();

    private History Fit(Model m, params Callback[] callbacks)
        => m.Fit(_data.X, _data.Y, epochs: 3, batchSize: 8, callbacks: callbacks, verbose: Verbosity.Silent);

    /// <summary>A kept backup of a finished two-epoch run, in place of any backup there.</summary>
    private void WriteBackup(string? fingerprint = null)
    {
        File.Delete(BackupPath);
        Model().Fit(_data.X, _data.Y, epochs: 2, batchSize: 8, callbacks: [new BackupAndRestore(_dir, fingerprint, deleteOnTrainEnd: false)], verbose: Verbosity.Silent);
    }

    /// <summary>Rewrites the backup with one metadata entry changed (null: removed).</summary>
    private void Rewrite(string key, Func<string, string?> change)
    {
        var file = SafeTensorsFile.Read(BackupPath);
        var tensors = file.Names.Select(n => KeyValuePair.Create(n, file.Get(n))).ToList();
        var meta = file.Metadata.ToDictionary(kv => kv.Key, kv => kv.Value);
        string? value = change(meta[key]);
        if (value is null) meta.Remove(key);
        else meta[key] = value;
        SafeTensorsWriter.Write(BackupPath, tensors, meta);
    }

    private static string RunEntry(string json, string entry, JsonNode? value)
    {
        var o = JsonNode.Parse(json)!.AsObject();
        if (value is null) o.Remove(entry);
        else o[entry] = value;
        return o.ToJsonString();
    }

    /// <summary>Fit refuses the backup with <typeparamref name="T"/> whose message has <paramref name="expected"/>; the weights are untouched.</summary>
    private void Refused<T>(string expected, string? fingerprint = null) where T : Exception
    {
        var m = Model();
        m.Build(4, 1);
        var before = Weights(m);
        var e = Assert.Throws<T>(() => Fit(m, new BackupAndRestore(_dir, fingerprint)));
        Assert.Contains(expected, e.Message);
        Assert.Equal(before, Weights(m));
    }

    [Fact]
    public void A_file_that_is_not_a_backup_is_refused()
    {
        File.WriteAllBytes(BackupPath, new byte[] { 1, 2, 3 });
        Refused<InvalidDataException>($"{BackupPath}: not a readable backup (");
        SafeTensorsWriter.Write(BackupPath, [], new Dictionary<string, string> { ["format"] = "recur-model" });
        Refused<InvalidDataException>("not a Recur training backup (format 'recur-model')");
        SafeTensorsWriter.Write(BackupPath, [], new Dictionary<string, string>());
        Refused<InvalidDataException>("not a Recur training backup (format '')");
    }

    [Theory]
    [InlineData("format_version", "2", "backup format version 2; this Recur reads version 1.")]
    [InlineData("format_version", null, "the backup has no 'format_version' entry.")]
    [InlineData("random", "{}", "random is not an array.")]
    [InlineData("random", "[null]", "a random state is null.")]
    [InlineData("callbacks", "{}", "callbacks is not an array.")]
    [InlineData("history", "{}", "history is not an array.")]
    [InlineData("history", null, "the backup has no 'history' entry.")]
    [InlineData("run", "[]", "'run' is not a JSON object.")]
    [InlineData("optimizer", "{}", "optimizer has no name.")]
    public void A_damaged_entry_is_named(string key, string? value, string expected)
    {
        WriteBackup();
        Rewrite(key, _ => value);
        Refused<InvalidDataException>(expected);
    }

    [Fact]
    public void Counts_of_another_model_are_refused()
    {
        var probe = Model();
        probe.Build(4, 1);
        int parameters = probe.Parameters.Count, randoms = probe.RandomStreams.Count();
        WriteBackup();
        Rewrite("run", run => RunEntry(run, "parameters", 99));
        Refused<BackupMismatchException>($"holds 99 parameters; the model has {parameters}. The backup belongs to another model.");
        WriteBackup();
        Rewrite("random", _ => "[]");
        Refused<BackupMismatchException>($"holds 0 random streams; the model draws from {randoms}. The backup belongs to another model.");
        WriteBackup();
        Rewrite("run", run => RunEntry(run, "recurrent_layers", 2));
        Refused<BackupMismatchException>("holds 2 recurrent layers; the model has 1.");
    }

    [Theory]
    [InlineData("parameters")]
    [InlineData("epoch")]
    [InlineData("steps")]
    [InlineData("source_offset")]
    [InlineData("stop_training")]
    public void A_missing_run_entry_is_named(string entry)
    {
        WriteBackup();
        Rewrite("run", run => RunEntry(run, entry, null));
        Refused<InvalidDataException>($"run has no '{entry}'.");
    }

    [Fact]
    public void An_unreadable_run_entry_or_optimizer_state_is_refused_before_any_weight_changes()
    {
        WriteBackup();
        Rewrite("run", run => RunEntry(run, "steps", "many"));
        Refused<InvalidDataException>("the backup is invalid: ");
        WriteBackup();
        Rewrite("optimizer", o => RunEntry(o, "name", "adam"));
        Refused<InvalidDataException>("the backup is invalid: state was written by optimizer 'adam'");
        WriteBackup();
        Rewrite("optimizer", o => RunEntry(o, "scalars", "none"));
        Refused<InvalidDataException>("expected an object of numbers.");
    }

    [Fact]
    public void A_run_without_a_fingerprint_resumes_any_backup_and_one_with_a_fingerprint_needs_it()
    {
        WriteBackup(fingerprint: "lr=0.1");
        Refused<BackupMismatchException>("settings 'lr=0.1'; this run: 'lr=0.2'", fingerprint: "lr=0.2");
        var backup = new BackupAndRestore(_dir);
        Fit(Model(), backup);
        Assert.Equal(2, backup.ResumedAtEpoch);
        Fit(Model(), backup); // the backup was removed at the end: the same callback now starts from the beginning
        Assert.Null(backup.ResumedAtEpoch);
        // A backup written without a fingerprint stores an empty one, which a run with a fingerprint refuses.
        WriteBackup();
        Refused<BackupMismatchException>("settings ''; this run: 'lr=0.2'", fingerprint: "lr=0.2");
    }

    [Fact]
    public void A_kept_backup_of_a_stopped_run_resumes_as_stopped()
    {
        var m = Model();
        var first = new BackupAndRestore(_dir, deleteOnTrainEnd: false);
        var h = m.Fit(_data.X, _data.Y, epochs: 10, batchSize: 8, callbacks: [first, new StepBudget(4)], verbose: Verbosity.Silent); // 3 batches an epoch
        Assert.Equal(2, h.Epochs);
        Assert.Null(first.ResumedAtEpoch);
        Assert.True(File.Exists(first.Path));
        Assert.Equal(BackupPath, first.Path);

        var again = Model();
        var backup = new BackupAndRestore(_dir, deleteOnTrainEnd: false);
        var resumed = again.Fit(_data.X, _data.Y, epochs: 10, batchSize: 8, callbacks: [backup, new StepBudget(4)], verbose: Verbosity.Silent);
        Assert.Equal(2, backup.ResumedAtEpoch);
        Assert.Equal(2, resumed.Epochs); // the history of the backup, and no epoch more
        Assert.Equal(h["loss"], resumed["loss"]);
        Assert.Equal(Weights(m), Weights(again));
        Assert.Equal(4, again.Optimizer!.Iterations);
    }

    [Fact]
    public void A_backup_under_another_name_is_written_there_and_removed_at_the_end()
    {
        string name = "run-7.safetensors", nested = Path.Combine(_dir, "not", "yet");
        var seen = new List<bool>();
        var backup = new BackupAndRestore(nested, fileName: name);
        var watch = new LambdaCallback { EpochBegin = e => seen.Add(File.Exists(Path.Combine(nested, name))) };
        Fit(Model(), backup, watch); // the directory is made
        Assert.Equal(Path.Combine(nested, name), backup.Path);
        Assert.Equal(new[] { false, true, true }, seen);
        Assert.False(File.Exists(backup.Path));
        Assert.False(BackupAndRestore.Exists(_dir));

        WriteBackup();
        Assert.True(BackupAndRestore.Exists(_dir));
        var outside = new BackupAndRestore(_dir) { Model = Model() };
        var e = Assert.Throws<InvalidOperationException>(() => outside.OnEpochEnd(0, new Dictionary<string, double>()));
        Assert.Equal("BackupAndRestore works only inside Model.Fit.", e.Message);
    }
}
