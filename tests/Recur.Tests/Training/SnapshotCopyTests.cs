using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>
/// Snapshots of large weights cost their size once, not once per save: EarlyStopping reuses its
/// best-weights arrays, and the backup writes the optimizer's moments without copying them
/// (a 20,000-word embedding's Adam state is 20 MB).
/// </summary>
public class SnapshotCopyTests
{
    private const int Width = 512; // Dense(512) on 512 features: 1 MB of weights

    private static Sequential Model()
    {
        var m = new Sequential(3, new Dense(Width)) { Output = TextWriter.Null };
        m.Compile(new Adam(1e-2f), Loss.MeanSquaredError());
        m.Build(Width);
        return m;
    }

    [Fact]
    public void EarlyStopping_keeps_each_best_epoch_in_the_same_arrays()
    {
        var model = Model();
        var stop = new EarlyStopping("val_loss", patience: 5, restoreBestWeights: true) { Model = model };
        stop.OnTrainBegin();
        stop.OnEpochEnd(0, new Dictionary<string, double> { ["val_loss"] = 3 });
        var weight = model.Parameters[0].Value;
        weight.Span.Fill(0.5f);
        long before = GC.GetAllocatedBytesForCurrentThread();
        stop.OnEpochEnd(1, new Dictionary<string, double> { ["val_loss"] = 2 }); // improved: a new snapshot
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < weight.Length, $"the second snapshot allocated {allocated:N0} bytes; the weights are {4L * weight.Length:N0}");
        weight.Span.Fill(-1f);
        stop.OnEpochEnd(2, new Dictionary<string, double> { ["val_loss"] = 4 }); // worse: no snapshot
        stop.OnTrainEnd();
        Assert.All(weight.ToArray(), v => Assert.Equal(0.5f, v)); // the epoch-1 weights came back
    }

    [Fact]
    public void The_optimizer_state_for_a_writer_views_the_moments_and_the_exported_one_copies_them()
    {
        var model = Model();
        var random = new SeededRandom(4);
        var x = Tensor.Zeros(8, Width);
        for (int i = 0; i < x.Length; i++) x.Span[i] = random.Normal();
        model.Fit(x, x, epochs: 1, batchSize: 8, verbose: Verbosity.Silent);
        var views = model.Optimizer!.ExportStateViews(model.Parameters);
        var copies = model.Optimizer.ExportState(model.Parameters);
        Assert.Equal(copies.Tensors.Select(t => t.Key), views.Tensors.Select(t => t.Key));
        var frozen = copies.Tensors.Select(t => t.Value.ToArray()).ToArray();
        Assert.Equal(frozen, views.Tensors.Select(t => t.Value.ToArray()).ToArray());
        model.Fit(x, x, epochs: 1, batchSize: 8, verbose: Verbosity.Silent); // the moments move on
        Assert.Equal(frozen, copies.Tensors.Select(t => t.Value.ToArray()).ToArray());
        var now = model.Optimizer.ExportState(model.Parameters).Tensors.Select(t => t.Value.ToArray()).ToArray();
        Assert.Equal(now, views.Tensors.Select(t => t.Value.ToArray()).ToArray());
        Assert.NotEqual(frozen, now);
    }
}
