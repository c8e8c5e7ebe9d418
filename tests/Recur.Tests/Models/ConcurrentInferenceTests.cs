using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Models;

namespace Recur.Tests.Models;

/// <summary>Predict and Step from many threads at once give exactly the answers of sequential calls.</summary>
public class ConcurrentInferenceTests
{
    private static Sequential Classifier()
    {
        var model = new Sequential(7,
            new Embedding(50, 8, maskZero: true),
            new Bidirectional(new Lstm(12, returnSequences: true)),
            new Gru(10),
            new Dense(3));
        model.Build(-1);
        return model;
    }

    /// <summary>(N, T) ids with right padding: item i has 1 + i % T real steps.</summary>
    private static Tensor Ids(int n, int steps, ulong seed)
    {
        var random = new SeededRandom(seed);
        var ids = Tensor.Zeros(n, steps);
        for (int i = 0; i < n; i++)
            for (int t = 0; t <= i % steps; t++) ids[i, t] = 1 + (int)(random.NextFloat() * 48);
        return ids;
    }

    [Fact]
    public void Sixteen_threads_predicting_get_the_sequential_answers_bit_for_bit()
    {
        var model = Classifier();
        const int threads = 16, calls = 1000;
        // Every call of a thread has its own input: batch of 1–4 items, 1–9 steps (both row-block and unit-split loops).
        var inputs = Enumerable.Range(0, threads * calls).Select(k => Ids(1 + k % 4, 1 + k % 9, (ulong)k)).ToArray();
        var expected = inputs.Select(x => model.Predict(x).ToArray()).ToArray();

        var actual = new float[inputs.Length][];
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, th =>
        {
            for (int c = 0; c < calls; c++)
            {
                int k = th * calls + c;
                actual[k] = model.Predict(inputs[k]).ToArray();
            }
        });
        for (int k = 0; k < inputs.Length; k++)
            Assert.True(expected[k].AsSpan().SequenceEqual(actual[k]), $"call {k} differs from its sequential answer");
    }

    [Fact]
    public void Stepping_one_step_at_a_time_gives_the_bits_of_the_whole_sequence()
    {
        foreach (var layer in new RecurrentLayer[] { new Lstm(9, numLayers: 2), new Gru(9), new SimpleRnn(9) })
        {
            const int B = 3, T = 6, I = 5;
            var x = Tensor.Zeros(B, T, I);
            var random = new SeededRandom(3);
            for (int k = 0; k < x.Length; k++) x.Span[k] = random.NextFloat() * 2 - 1;
            layer.Build([-1, I], new SeededRandom(11));
            var whole = layer.Infer(x);

            RecurrentState? state = null;
            for (int t = 0; t < T; t++)
            {
                var xt = Tensor.Zeros(B, I);
                for (int b = 0; b < B; b++) x.Span.Slice((b * T + t) * I, I).CopyTo(xt.Span.Slice(b * I, I));
                (var yt, state) = layer.Step(xt, state);
                for (int b = 0; b < B; b++)
                    Assert.True(yt.Span.Slice(b * 9, 9).SequenceEqual(whole.Output.Span.Slice((b * T + t) * 9, 9)), $"{layer.GetType().Name}: step {t}, row {b}");
            }
            Assert.True(state!.Hidden.Span.SequenceEqual(whole.HiddenState.Span), layer.GetType().Name);
            if (whole.CellState is { } c) Assert.True(state.Cell!.Span.SequenceEqual(c.Span));
        }
    }

    [Fact]
    public void Sixteen_threads_stepping_get_the_sequential_answers()
    {
        var layer = new Lstm(16);
        layer.Build([-1, 4], new SeededRandom(5));
        var inputs = Enumerable.Range(0, 16 * 200).Select(k =>
        {
            var random = new SeededRandom((ulong)k);
            var x = Tensor.Zeros(1 + k % 3, 4);
            for (int i = 0; i < x.Length; i++) x.Span[i] = random.NextFloat();
            return x;
        }).ToArray();
        var expected = inputs.Select(x => layer.Step(x).Output.ToArray()).ToArray();
        var actual = new float[inputs.Length][];
        Parallel.For(0, inputs.Length, new ParallelOptions { MaxDegreeOfParallelism = 16 }, k => actual[k] = layer.Step(inputs[k]).Output.ToArray());
        for (int k = 0; k < inputs.Length; k++) Assert.True(expected[k].AsSpan().SequenceEqual(actual[k]), $"step {k}");
    }

    [Fact]
    public void A_state_reorders_and_repeats_rows_and_checks_its_shape()
    {
        var h = new Tensor(Enumerable.Range(0, 2 * 3 * 2).Select(v => (float)v).ToArray(), 2, 3, 2); // (L·D 2, B 3, H 2)
        var state = new RecurrentState(h, h.Clone());
        var picked = state.SelectRows([2, 0, 0]);
        Assert.Equal(new[] { 4f, 5f, 0f, 1f, 0f, 1f, 10f, 11f, 6f, 7f, 6f, 7f }, picked.Hidden.ToArray());
        Assert.Equal(picked.Hidden.ToArray(), picked.Cell!.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => state.SelectRows([3]));

        var lstm = new Lstm(2, numLayers: 2);
        lstm.Build([-1, 1]);
        var ex = Assert.Throws<ArgumentException>(() => lstm.Step(Tensor.Zeros(4, 1), state));
        Assert.Contains("(2, 4, 2)", ex.Message);
        Assert.Contains("(2, 3, 2)", ex.Message);
        var noCell = Assert.Throws<ArgumentException>(() => lstm.Step(Tensor.Zeros(3, 1), new RecurrentState(h)));
        Assert.Contains("cell", noCell.Message);
    }

    [Fact]
    public void Model_state_round_trips_and_bad_names_change_nothing()
    {
        var model = new Sequential(3, new Lstm(4, returnSequences: true), new Dense(2));
        model.Build(-1, 3);
        model.Stateful = true;
        var x = Tensor.Zeros(2, 5, 3);
        x.Span.Fill(0.5f);
        model.PredictOnBatch(x);
        var saved = model.GetState();
        Assert.Single(saved);
        var next = model.PredictOnBatch(x).ToArray();

        model.SetState(saved);
        Assert.Equal(next, model.PredictOnBatch(x).ToArray());

        var before = model.GetState()["lstm"].Hidden.ToArray();
        var bad = new Dictionary<string, RecurrentState> { ["lstm"] = saved["lstm"], ["nope"] = saved["lstm"] };
        var ex = Assert.Throws<ArgumentException>(() => model.SetState(bad));
        Assert.Contains("'nope'", ex.Message);
        Assert.Equal(before, model.GetState()["lstm"].Hidden.ToArray());
    }
}
