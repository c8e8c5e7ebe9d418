using Recur.Data;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Training;

namespace Recur.Tests.Data;

public class SequenceBatchesTests
{
    /// <summary>Token sequences of lengths 1…maxLength (ids 1…9), labels 0/1 from the first id's parity.</summary>
    internal static (List<Tensor> X, List<Tensor> Y) Ragged(int n, int maxLength, int seed)
    {
        var r = new SeededRandom(seed);
        var x = new List<Tensor>();
        var y = new List<Tensor>();
        for (int i = 0; i < n; i++)
        {
            int length = 1 + r.NextInt(maxLength);
            var ids = Enumerable.Range(0, length).Select(_ => (float)(1 + r.NextInt(9))).ToArray();
            x.Add(Tensor.FromArray(ids, length));
            y.Add(Tensor.FromArray(new[] { ids[0] % 2 }, 1));
        }
        return (x, y);
    }

    [Fact]
    public void Each_batch_is_padded_to_its_longest_sequence_with_the_mask_of_the_lengths()
    {
        var (x, y) = Ragged(37, 12, 1);
        var source = new SequenceBatches(x, y, batchSize: 5, seed: 7, poolBatches: 2);
        var seen = new List<float[]>();
        foreach (var batch in source.GetBatches(0))
        {
            int T = batch.X.Size(1);
            Assert.NotNull(batch.Mask);
            var lengths = Enumerable.Range(0, batch.Count).Select(b => Enumerable.Range(0, T).Count(t => batch.Mask![b, t])).ToArray();
            Assert.Equal(T, lengths.Max());
            for (int b = 0; b < batch.Count; b++)
            {
                var row = batch.X.Span.Slice(b * T, T).ToArray();
                Assert.All(row[lengths[b]..], v => Assert.Equal(0f, v));       // padding after the real steps
                Assert.All(row[..lengths[b]], v => Assert.NotEqual(0f, v));    // ids are 1…9
                seen.Add(row[..lengths[b]]);
            }
        }
        Assert.Equal(source.Count, source.GetBatches(0).Count());
        // Every sequence exactly once per epoch.
        Assert.Equal(x.Select(t => string.Join(",", t.ToArray())).Order(), seen.Select(s => string.Join(",", s)).Order());
    }

    [Fact]
    public void Bucketing_pads_less_than_random_batches_and_the_order_depends_only_on_seed_and_epoch()
    {
        var (x, y) = Ragged(400, 40, 2);
        var source = new SequenceBatches(x, y, batchSize: 8, seed: 3);
        long padded = source.GetBatches(0).Sum(b => (long)b.X.Length);
        long real = x.Sum(t => (long)t.Length);
        Assert.True(padded < real * 1.2, $"bucketed batches hold {padded} steps for {real} real ones");
        string Order(IBatchSource s, int e) => string.Join("|", s.GetBatches(e).Select(b => string.Join(",", b.X.ToArray())));
        Assert.Equal(Order(source, 1), Order(source, 1));
        Assert.Equal(Order(source, 1), Order(new SequenceBatches(x, y, batchSize: 8, seed: 3), 1));
        Assert.NotEqual(Order(source, 0), Order(source, 1));
        Assert.NotEqual(Order(source, 0), Order(new SequenceBatches(x, y, batchSize: 8, seed: 4), 0));
    }

    [Fact]
    public void Per_step_targets_are_padded_like_the_inputs()
    {
        var x = new List<Tensor> { Tensor.FromArray(new float[] { 1, 2, 3 }, 3), Tensor.FromArray(new float[] { 4 }, 1) };
        var y = new List<Tensor> { Tensor.FromArray(new float[] { 5, 6, 7 }, 3), Tensor.FromArray(new float[] { 8 }, 1) };
        var batch = Assert.Single(new SequenceBatches(x, y, batchSize: 2, shuffle: false, perStepTargets: true).GetBatches(0));
        Assert.Equal(new float[] { 4, 0, 0, 1, 2, 3 }, batch.X.ToArray()); // sorted by length
        Assert.Equal(new float[] { 8, 0, 0, 5, 6, 7 }, batch.Y.ToArray());
        Assert.Equal(new[] { true, false, false, true, true, true }, batch.Mask!.Flags.ToArray());
    }

    [Fact]
    public void Bad_input_names_the_sequence()
    {
        var x = new List<Tensor> { Tensor.Zeros(3, 2), Tensor.Zeros(2, 5) };
        var y = new List<Tensor> { Tensor.Zeros(1), Tensor.Zeros(1) };
        var e = Assert.Throws<ArgumentException>(() => new SequenceBatches(x, y, 4));
        Assert.Contains("sequences[1]", e.Message);
        var steps = Assert.Throws<ArgumentException>(() => new SequenceBatches(new List<Tensor> { Tensor.Zeros(3) }, new List<Tensor> { Tensor.Zeros(2) }, 4, perStepTargets: true));
        Assert.Contains("targets[0] has 2 steps but sequence 0 has 3", steps.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatches(x, y, 0));
    }

    [Fact]
    public void A_step_budget_keeps_one_long_sequence_from_padding_its_whole_batch()
    {
        // 100 sequences of 6 steps and one of 5,000: 64 rows × 5,000 would be 320,000 padded steps.
        var lengths = Enumerable.Repeat(6, 100).Append(5_000).ToArray();
        var x = lengths.Select(n => Tensor.Full(1f, n)).ToList();
        var y = lengths.Select((_, i) => Tensor.FromArray(new float[] { i }, 1)).ToList();
        const int budget = 32_768;
        foreach (bool shuffle in new[] { false, true })
        {
            var source = new SequenceBatches(x, y, batchSize: 64, shuffle: shuffle, seed: 3, maxBatchSteps: budget);
            var batches = source.GetBatches(1).ToList();
            Assert.All(batches, b => Assert.True(b.Count == 1 || b.X.Length <= budget, $"{b.Count} rows padded to {b.X.Size(1)} steps"));
            Assert.Contains(batches, b => b.Count == 1 && b.X.Size(1) == 5_000); // the long one alone
            Assert.Contains(batches, b => b.Count == 64);                        // short ones still fill whole batches
            Assert.Equal(Enumerable.Range(0, 101), batches.SelectMany(b => b.Y.ToArray()).Select(v => (int)v).Order());
            Assert.Equal(shuffle ? null : batches.Count, source.Count); // a shuffled count depends on the epoch's mix
        }
        // Without the budget the long sequence pads the short ones of its batch; with a budget that cannot bind, counts are as before.
        Assert.Contains(new SequenceBatches(x, y, batchSize: 64, shuffle: false).GetBatches(0), b => b.Count > 1 && b.X.Size(1) == 5_000);
        Assert.Equal(2, new SequenceBatches(x, y, batchSize: 64, seed: 3, maxBatchSteps: 64 * 5_000).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SequenceBatches(x, y, 64, maxBatchSteps: 0));
    }

    private static Sequential Classifier(ulong seed)
    {
        var m = new Sequential(seed, new Embedding(10, 4), new Dropout(0.2f), new Gru(5), new Dense(2)) { Output = TextWriter.Null };
        m.Compile(new Adam(1e-2f), Loss.SparseCategoricalCrossEntropy(fromLogits: true), Metric.Accuracy);
        m.Build(-1);
        return m;
    }

    [Fact]
    public void Fit_on_a_source_is_train_on_batch_over_its_batches_in_order()
    {
        var (x, y) = Ragged(50, 9, 4);
        var source = new SequenceBatches(x, y, batchSize: 8, seed: 5);
        var fitted = Classifier(11);
        var history = fitted.Fit(source, epochs: 3, validationData: new SequenceBatches(x, y, batchSize: 16, shuffle: false), verbose: Verbosity.Silent);

        var manual = Classifier(11);
        for (int e = 0; e < 3; e++)
            foreach (var b in source.GetBatches(e)) manual.TrainOnBatch(b.X, b.Y, mask: b.Mask);
        Assert.Equal(manual.Parameters.SelectMany(p => p.Value.ToArray()), fitted.Parameters.SelectMany(p => p.Value.ToArray()));
        Assert.Equal(3, history.Epochs);
        var evaluated = fitted.Evaluate(new SequenceBatches(x, y, batchSize: 16, shuffle: false));
        Assert.Equal(evaluated["loss"], history["val_loss"][2]);
        Assert.Equal(evaluated["accuracy"], history["val_accuracy"][2]);
    }
}
