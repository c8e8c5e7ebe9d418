using Recur.Kernels;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Kernels;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// The time loop runs blocks of batch rows on separate threads, and splits the units of a
/// one-row batch; outputs, final states, every gradient and the recorded step-gradient norms must
/// not depend on how the work is split.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class WorkSplitTests
{
    public static IEnumerable<object[]> Cases() =>
        from cell in RecurrentFactory.Cells
        from masked in new[] { false, true }
        select new object[] { cell, masked };

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_two_and_three_threads_give_identical_bits(string cell, bool masked)
    {
        // 29 rows: blocks of 8 and 21 rows on two threads, 8, 8 and 13 on three, so blocks end
        // inside a GEMM row panel; three threads on two cores also checks an oversubscribed pool.
        const int B = 29, T = 9, I = 5, H = 19;
        var (one, normsOne) = Run(cell, masked, B, T, I, H, threads: 1);
        foreach (int threads in new[] { 2, 3 })
        {
            var (many, normsMany) = Run(cell, masked, B, T, I, H, threads);
            Assert.Equal(one.Count, many.Count);
            for (int k = 0; k < one.Count; k++)
                Assert.True(one[k].AsSpan().SequenceEqual(many[k]), $"array {k} differs between 1 and {threads} threads");
            Assert.Equal(normsOne, normsMany);
        }
        Assert.Contains(normsOne, n => n > 0f); // the comparison saw real gradients
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void One_row_splits_its_units_identically_for_one_two_and_three_threads(string cell, bool masked)
    {
        // H = 102: parts of 48 and 54 units on two threads, 32, 32 and 38 on three (each ending
        // in a tail of 6 units past the last whole vector).
        var (one, normsOne) = Run(cell, masked, 1, 9, 5, 102, threads: 1);
        foreach (int threads in new[] { 2, 3 })
        {
            var (many, normsMany) = Run(cell, masked, 1, 9, 5, 102, threads);
            for (int k = 0; k < one.Count; k++)
                Assert.True(one[k].AsSpan().SequenceEqual(many[k]), $"array {k} differs between 1 and {threads} threads");
            Assert.Equal(normsOne, normsMany);
        }
    }

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("lstm", 2)]
    [InlineData("gru", 2)]
    [InlineData("gru_cho", 2)]
    [InlineData("rnn_tanh", 2)]
    [InlineData("rnn_relu", 2)]
    public void A_sequence_gets_the_same_bits_alone_as_inside_a_batch(string cell, int threads)
    {
        // Alone, a one-row batch takes the unit-split step (a row times W_hhᵀ); in a batch, the
        // packed GEMM over row blocks. Both are the same chains of operations per element.
        const int B = 9, T = 7, I = 4, H = 70;
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        var x = GradientCheck.RandomTensor(new SeededRandom(12), 1f, B, T, I);
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true });
        layer.Build(new[] { T, I }, new SeededRandom(13));
        var batch = layer.ForwardWithState(x).Output.ToArray();
        for (int b = 0; b < B; b++)
        {
            var row = Tensor.FromArray(x.Span.Slice(b * T * I, T * I), 1, T, I);
            var alone = layer.ForwardWithState(row).Output.ToArray();
            Assert.True(alone.AsSpan().SequenceEqual(batch.AsSpan(b * T * H, T * H)), $"row {b} differs alone and in the batch");
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void A_padded_sequence_gets_the_same_bits_alone_as_inside_a_batch(string cell)
    {
        // The masked steps of the unit-split path: a padded step keeps h (and c) and outputs zeros,
        // as the row-block path does. Rows of lengths 7, 5, 3 and 1 of 7 steps.
        const int B = 4, T = 7, I = 3, H = 70;
        int[] lengths = [7, 5, 3, 1];
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, 2);
        var x = GradientCheck.RandomTensor(new SeededRandom(14), 1f, B, T, I);
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true });
        layer.Build(new[] { T, I }, new SeededRandom(15));
        var batch = layer.ForwardWithState(x, mask: SequenceMask.FromLengths(lengths, T));
        for (int b = 0; b < B; b++)
        {
            var row = Tensor.FromArray(x.Span.Slice(b * T * I, T * I), 1, T, I);
            var alone = layer.ForwardWithState(row, mask: SequenceMask.FromLengths([lengths[b]], T));
            Assert.True(alone.Output.Span.SequenceEqual(batch.Output.Span.Slice(b * T * H, T * H)), $"row {b}: outputs differ alone and in the batch");
            Assert.True(alone.HiddenState.Span.SequenceEqual(batch.HiddenState.Span.Slice(b * H, H)), $"row {b}: final h differs");
            if (alone.CellState is { } c) Assert.True(c.Span.SequenceEqual(batch.CellState!.Span.Slice(b * H, H)), $"row {b}: final c differs");
            Assert.All(alone.Output.ToArray().Skip(lengths[b] * H), v => Assert.Equal(0f, v)); // padded steps output zeros
        }
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void A_one_row_forward_sees_recurrent_weights_changed_since_the_last_call(string cell)
    {
        // The one-row step keeps its packed W_hh between calls; a change must reach the next call.
        const int T = 4, I = 3, H = 40;
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true });
        layer.Build(new[] { T, I }, new SeededRandom(6));
        var x = GradientCheck.RandomTensor(new SeededRandom(7), 1f, 1, T, I);
        var before = layer.ForwardWithState(x).Output.ToArray();
        var whh = layer.Parameters.Single(p => p.Name.StartsWith("weight_hh")).Value.Span;
        whh[whh.Length / 2] += 0.5f; // one weight, in the middle
        var after = layer.ForwardWithState(x).Output.ToArray();

        var two = Tensor.Zeros(2, T, I); // the same row twice: the batch path, which packs at every call
        x.Span.CopyTo(two.Span);
        x.Span.CopyTo(two.Span.Slice(T * I));
        var expected = layer.ForwardWithState(two).Output.ToArray().AsSpan(0, T * H).ToArray();
        Assert.Equal(expected, after);
        Assert.NotEqual(before, after);
    }

    /// <summary>
    /// The cell options that draw masks (variational dropout, zoneout) or normalise, in training:
    /// each row block must read its own rows of every mask and cache, so the bits do not depend on
    /// the split. The masks are drawn before the loop, the same for any thread count.
    /// </summary>
    [Theory]
    [InlineData("lstm", false, 0.2f, 0.3f, 0.25f, 0.25f)]
    [InlineData("lstm", true, 0.2f, 0.3f, 0.25f, 0.25f)]
    [InlineData("gru", false, 0.2f, 0.3f, 0.25f, 0f)]
    [InlineData("gru", true, 0.2f, 0.3f, 0.25f, 0f)]
    [InlineData("gru_cho", false, 0.2f, 0.3f, 0.25f, 0f)]
    [InlineData("rnn_tanh", false, 0.2f, 0.3f, 0.25f, 0f)]
    public void Cell_options_in_training_give_identical_bits_for_one_two_and_three_threads(string cell, bool layerNorm,
        float inputDropout, float recurrentDropout, float zoneoutHidden, float zoneoutCell)
    {
        const int B = 29, T = 9, I = 5, H = 19;
        var options = new RecurrentOptions
        {
            LayerNorm = layerNorm, InputDropout = inputDropout, RecurrentDropout = recurrentDropout,
            ZoneoutHidden = zoneoutHidden, ZoneoutCell = zoneoutCell,
        };
        var (one, normsOne) = Run(cell, true, B, T, I, H, threads: 1, options, training: true);
        foreach (int threads in new[] { 2, 3 })
        {
            var (many, normsMany) = Run(cell, true, B, T, I, H, threads, options, training: true);
            for (int k = 0; k < one.Count; k++)
                Assert.True(one[k].AsSpan().SequenceEqual(many[k]), $"array {k} differs between 1 and {threads} threads");
            Assert.Equal(normsOne, normsMany);
        }
    }

    private static (List<float[]> Arrays, float[] Norms) Run(string cell, bool masked, int B, int T, int I, int H, int threads,
        RecurrentOptions? options = null, bool training = false)
    {
        using var scope = KernelScope.Use(KernelSettings.BestGemmKernel, threads);
        var random = new SeededRandom(3);
        var layer = RecurrentFactory.Create(cell, H, (options ?? new RecurrentOptions()) with { ReturnSequences = true, Bidirectional = true, NumLayers = 2 });
        layer.Build(new[] { T, I }, new SeededRandom(4));
        var x = GradientCheck.RandomTensor(random, 1f, B, T, I);
        var dy = GradientCheck.RandomTensor(random, 1f, B, T, 2 * H);
        var dhN = GradientCheck.RandomTensor(random, 1f, 4, B, H);
        SequenceMask? mask = null;
        if (masked)
        {
            var valid = new bool[B * T];
            for (int b = 0; b < B; b++)
                for (int t = 0; t < T; t++) valid[b * T + t] = t < T - b % 4; // lengths T, T−1, T−2, T−3
            mask = new SequenceMask(valid, B, T);
        }
        layer.RecordStepGradientNorms = true;
        var result = layer.ForwardWithState(x, mask: mask, training: training);
        var grads = layer.BackwardWithState(dy, dhN);
        var arrays = new List<float[]> { result.Output.ToArray(), result.HiddenState.ToArray(), grads.Input!.ToArray(), grads.InitialHidden.ToArray() };
        if (result.CellState is not null) arrays.Add(result.CellState.ToArray());
        arrays.AddRange(layer.Parameters.Select(p => p.Grad.ToArray()));
        return (arrays, layer.StepGradientNorms!.ToArray());
    }
}
