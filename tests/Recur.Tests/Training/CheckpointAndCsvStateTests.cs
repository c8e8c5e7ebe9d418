using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>ModelCheckpoint and CsvLogger driven by hand: what they write, and the state a resumed run continues from.</summary>
public sealed class CheckpointAndCsvStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-ckpt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Compiled()
    {
        var m = new Sequential(1, new Dense(2)) { Output = TextWriter.Null };
        m.Compile(new Adam(0.1f), Loss.MeanSquaredError());
        m.Build(3);
        return m;
    }

    private static Dictionary<string, double> Logs(double loss) => new() { ["loss"] = loss };

    [Fact]
    public void A_best_only_checkpoint_resumes_with_its_best_value_and_last_file()
    {
        var m = Compiled();
        string pattern = Path.Combine(_dir, "ck{epoch}.recur");
        var first = new ModelCheckpoint(pattern, monitor: "loss", saveBestOnly: true) { Model = m };
        first.OnTrainBegin();
        first.OnEpochEnd(0, Logs(1));
        first.OnEpochEnd(1, Logs(2));
        string ck1 = Path.Combine(_dir, "ck1.recur");
        Assert.Equal(ck1, first.LastSaved);
        Assert.True(File.Exists(ck1));
        Assert.False(File.Exists(Path.Combine(_dir, "ck2.recur")));
        var state = new CallbackState();
        first.SaveState(state);
        Assert.Equal(1, state.GetNumber("best"));
        Assert.Equal(ck1, state.GetText("last_saved"));

        var resumed = new ModelCheckpoint(pattern, monitor: "loss", saveBestOnly: true) { Model = m };
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        Assert.Equal(ck1, resumed.LastSaved);
        resumed.OnEpochEnd(2, Logs(1.5)); // worse than the restored best
        Assert.False(File.Exists(Path.Combine(_dir, "ck3.recur")));
        resumed.OnEpochEnd(3, Logs(0.5));
        Assert.Equal(Path.Combine(_dir, "ck4.recur"), resumed.LastSaved);
        resumed.OnTrainBegin(); // a new run: no best yet
        resumed.OnEpochEnd(5, Logs(7));
        Assert.Equal(Path.Combine(_dir, "ck6.recur"), resumed.LastSaved);

        var fresh = new CallbackState();
        var none = new ModelCheckpoint(pattern) { Model = m };
        none.OnTrainBegin();
        none.SaveState(fresh);
        Assert.False(fresh.Contains("last_saved"));
        none.LoadState(fresh);
        Assert.Null(none.LastSaved);
    }

    [Fact]
    public void A_checkpoint_writes_the_optimizer_state_only_when_asked_and_can_monitor_a_maximum()
    {
        var m = Compiled();
        string with = Path.Combine(_dir, "with.recur"), without = Path.Combine(_dir, "without.recur");
        foreach (var (path, include) in new[] { (with, true), (without, false) })
        {
            var cb = new ModelCheckpoint(path, includeOptimizer: include) { Model = m };
            cb.OnTrainBegin();
            cb.OnEpochEnd(0, Logs(1));
        }
        Assert.True(SafeTensorsFile.Read(with).Metadata.ContainsKey("optimizer_scalars"));
        Assert.False(SafeTensorsFile.Read(without).Metadata.ContainsKey("optimizer_scalars"));

        string best = Path.Combine(_dir, "best{epoch}.recur");
        var max = new ModelCheckpoint(best, monitor: "score", saveBestOnly: true, mode: MonitorMode.Max) { Model = m };
        max.OnTrainBegin();
        max.OnEpochEnd(0, new Dictionary<string, double> { ["score"] = 0.5 });
        max.OnEpochEnd(1, new Dictionary<string, double> { ["score"] = 0.25 });
        max.OnEpochEnd(2, new Dictionary<string, double> { ["score"] = 0.75 });
        Assert.Equal(new[] { "best1.recur", "best3.recur" }, Directory.GetFiles(_dir, "best*").Select(Path.GetFileName).Order());
    }

    [Fact]
    public void A_csv_logger_resumed_from_its_state_rewrites_every_row_with_every_key()
    {
        string path = Path.Combine(_dir, "log.csv");
        var first = new CsvLogger(path);
        first.OnTrainBegin();
        first.OnEpochEnd(0, Logs(1));
        first.OnEpochEnd(1, new Dictionary<string, double> { ["loss"] = 0.1, ["val_loss"] = 2 }); // a key first logged in epoch 1
        var state = new CallbackState();
        first.SaveState(state);

        var resumed = new CsvLogger(path);
        resumed.OnTrainBegin();
        resumed.LoadState(state);
        resumed.OnEpochEnd(2, Logs(1.0 / 3));
        Assert.Equal(new[] { "epoch,loss,val_loss", "1,1,", "2,0.1,2", "3,0.3333333333333333," }, File.ReadAllLines(path));
        Assert.Equal((byte)'e', File.ReadAllBytes(path)[0]); // UTF-8 without a byte-order mark

        var restarted = new CsvLogger(path);
        restarted.LoadState(state);
        restarted.OnTrainBegin(); // a new run forgets the rows
        restarted.OnEpochEnd(0, Logs(4));
        Assert.Equal(new[] { "epoch,loss", "1,4" }, File.ReadAllLines(path));

        // A state loaded into a logger that already holds rows replaces them.
        var loaded = new CsvLogger(path);
        loaded.OnTrainBegin();
        loaded.OnEpochEnd(0, Logs(9));
        loaded.LoadState(state);
        loaded.OnEpochEnd(2, Logs(0.5));
        Assert.Equal(new[] { "epoch,loss,val_loss", "1,1,", "2,0.1,2", "3,0.5," }, File.ReadAllLines(path));

        var broken = new CallbackState();
        broken.Set("rows", "null");
        Assert.Equal("CsvLogger state: rows is null.", Assert.Throws<InvalidDataException>(() => new CsvLogger(path).LoadState(broken)).Message);
    }
}
