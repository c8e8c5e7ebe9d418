using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Serialization;
using Recur.Tests.Testing;

namespace Recur.Tests.Losses;

/// <summary>CTC against PyTorch's ctc_loss (tools/make_ctc_fixtures.py), finite differences, bad input and training through Fit.</summary>
public class CtcTests
{
    private static string FixtureDir => Path.Combine(AppContext.BaseDirectory, "fixtures", "ctc");

    public static TheoryData<string, string, bool> Conventions()
    {
        var data = new TheoryData<string, string, bool>();
        foreach (var file in Directory.GetFiles(FixtureDir, "*.safetensors").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal))
            foreach (var reduction in new[] { "mean", "sum" })
                foreach (bool zi in new[] { false, true })
                    data.Add(file!, reduction, zi);
        return data;
    }

    private sealed record Fixture(SafeTensorsFile File, Tensor Logits, Tensor Targets, int[] InputLengths, int[] TargetLengths, int Blank);

    private static Fixture Load(string name)
    {
        var f = SafeTensorsFile.Read(Path.Combine(FixtureDir, name + ".safetensors"));
        static int[] Ints(Tensor t) => t.Span.ToArray().Select(v => (int)v).ToArray();
        return new Fixture(f, f.Get("logits"), f.Get("targets"), Ints(f.Get("input_lengths")), Ints(f.Get("target_lengths")), int.Parse(f.Metadata["blank"]));
    }

    [Fact]
    public void Fixtures_cover_the_cases_that_matter()
    {
        var names = Directory.GetFiles(FixtureDir, "*.safetensors").Select(Path.GetFileNameWithoutExtension).ToHashSet();
        foreach (var n in new[] { "repeats", "empty_label", "minimum_length", "impossible", "mixed", "blank_last" }) Assert.Contains(n, names);
        var impossible = Load("impossible");
        Assert.Contains(impossible.File.Get("loss_none_zi0").Span.ToArray(), float.IsPositiveInfinity);
        Assert.Contains(Load("empty_label").TargetLengths, l => l == 0);
    }

    [Theory]
    [MemberData(nameof(Conventions))]
    public void Matches_pytorch(string name, string reduction, bool zeroInfinity)
    {
        var fx = Load(name);
        string key = $"{reduction}_zi{(zeroInfinity ? 1 : 0)}";
        var ctc = new Ctc(fx.Blank, reduction == "mean" ? CtcReduction.Mean : CtcReduction.Sum, zeroInfinity);

        var items = ctc.ItemLosses(fx.Logits, fx.Targets, fx.InputLengths, fx.TargetLengths);
        var expectedItems = fx.File.Get($"loss_none_zi{(zeroInfinity ? 1 : 0)}").Span.ToArray();
        for (int b = 0; b < items.Length; b++)
            AssertClose(expectedItems[b], items[b], $"{name} item {b}");

        var result = ctc.Compute(fx.Logits, fx.Targets, fx.InputLengths, fx.TargetLengths);
        AssertClose(fx.File.Get("loss_" + key).Span[0], result.Value, $"{name} {key}");

        // The same through the Loss API: lengths from a mask and from the -1 padding.
        var viaMask = ctc.Compute(fx.Logits, fx.Targets, SequenceMask.FromLengths(fx.InputLengths, fx.Logits.Size(1)));
        Assert.Equal(result.Value, viaMask.Value);
        Assert.Equal(result.Gradient.Span.ToArray(), viaMask.Gradient.Span.ToArray());

        if (fx.File.Contains("grad_" + key))
        {
            var expected = fx.File.Get("grad_" + key).Span;
            var actual = result.Gradient.Span;
            for (int i = 0; i < expected.Length; i++)
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6 + 1e-5 * Math.Abs(expected[i]),
                    $"{name} {key}: gradient[{i}] is {actual[i]}, PyTorch {expected[i]}");
        }
        else
        {
            // PyTorch: an infinite item loss has a NaN gradient; the other items keep theirs.
            Assert.True(double.IsPositiveInfinity(result.Value));
            Assert.Contains(result.Gradient.Span.ToArray(), float.IsNaN);
        }
    }

    private static void AssertClose(double expected, double actual, string what)
    {
        if (double.IsPositiveInfinity(expected)) Assert.True(double.IsPositiveInfinity(actual), $"{what}: {actual}, expected +inf");
        else Assert.True(Math.Abs(expected - actual) <= 1e-9 + 1e-6 * Math.Abs(expected), $"{what}: {actual}, PyTorch {expected}");
    }

    [Theory]
    [InlineData(CtcReduction.Mean, 0)]
    [InlineData(CtcReduction.Sum, 0)]
    [InlineData(CtcReduction.Mean, 3)]
    public void Gradient_matches_finite_differences(CtcReduction reduction, int blank)
    {
        const int B = 3, T = 7, C = 5;
        var r = new SeededRandom(11 + blank);
        var logits = GradientCheck.RandomTensor(r, 2f, B, T, C);
        var labels = blank == 0 ? new[] { new[] { 1, 1, 2 }, new[] { 4 }, Array.Empty<int>() } : new[] { new[] { 0, 4, 4 }, new[] { 2, 1 }, new[] { 1 } };
        var targets = Padded(labels);
        var mask = SequenceMask.FromLengths(new[] { 7, 5, 3 }, T);
        var weights = Tensor.FromArray(new[] { 1f, 0.5f, 2f }, B);
        var ctc = new Ctc(blank, reduction);
        var analytic = ctc.Compute(logits, targets, mask, weights).Gradient.Span.ToArray();
        GradientCheck.Check($"ctc {reduction} blank {blank}", logits.Data, analytic,
            () => ctc.Compute(logits, targets, mask, weights).Value, eps: 1e-2f, atol: 1e-4, rtol: 1e-2);
        // Steps past an item's length get no gradient.
        for (int t = 5; t < T; t++)
            for (int c = 0; c < C; c++) Assert.Equal(0f, analytic[(1 * T + t) * C + c]);
    }

    [Fact]
    public void Brute_force_sum_over_alignments_equals_the_recursion()
    {
        // p(l | x) = Σ over all C^T paths that collapse to l of Π_t softmax(x_t)(π_t).
        const int T = 5, C = 3;
        var r = new SeededRandom(5);
        var logits = GradientCheck.RandomTensor(r, 1.5f, 1, T, C);
        var probs = new Ctc().ToProbabilities(logits).Span.ToArray();
        foreach (var label in new[] { new[] { 1 }, new[] { 1, 1 }, new[] { 2, 1, 2 }, Array.Empty<int>(), new[] { 1, 1, 1 } })
        {
            double p = 0;
            var path = new int[T];
            for (int code = 0; code < (int)Math.Pow(C, T); code++)
            {
                int rest = code;
                double pp = 1;
                for (int t = 0; t < T; t++) { path[t] = rest % C; rest /= C; pp *= probs[t * C + path[t]]; }
                if (Collapse(path).SequenceEqual(label)) p += pp;
            }
            double loss = new Ctc(reduction: CtcReduction.Sum).Compute(logits, Padded(new[] { label }), new[] { T }, new[] { label.Length }).Value;
            Assert.Equal(-Math.Log(p), loss, 6); // the brute force reads float32 probabilities
        }
    }

    private static int[] Collapse(int[] path)
    {
        var result = new List<int>();
        for (int t = 0; t < path.Length; t++)
            if (path[t] != 0 && (t == 0 || path[t] != path[t - 1])) result.Add(path[t]);
        return result.ToArray();
    }

    internal static Tensor Padded(int[][] labels)
    {
        int S = Math.Max(1, labels.Max(l => l.Length));
        var t = Tensor.Full(-1f, labels.Length, S);
        for (int b = 0; b < labels.Length; b++)
            for (int s = 0; s < labels[b].Length; s++) t.Span[b * S + s] = labels[b][s];
        return t;
    }

    [Fact]
    public void Bad_input_names_the_argument_and_the_values()
    {
        var logits = Tensor.Zeros(2, 4, 3);
        var ctc = new Ctc();
        var e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Padded(new[] { new[] { 1, 2, 1, 2, 1 }, new[] { 1 } }).Reshape(2, 5), SequenceMask.FromLengths(new[] { 4, 4 }, 4)));
        Assert.Contains("shorter than its label", e.Message);
        e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Padded(new[] { new[] { 0 }, new[] { 1 } })));
        Assert.Contains("target[0, 0] is 0", e.Message);
        Assert.Contains("other than the blank 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Padded(new[] { new[] { 3 }, new[] { 1 } })));
        Assert.Contains("[0, 3)", e.Message);
        e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Tensor.FromArray(new[] { 1f, -1f, 2f, 1f, 1f, 1f }, 2, 3)));
        Assert.Contains("after padding", e.Message);
        e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Padded(new[] { new[] { 1 }, new[] { 1 } }), new SequenceMask(new[] { true, false, true, true, true, true, true, true }, 2, 4)));
        Assert.Equal("mask", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => ctc.Compute(logits, Padded(new[] { new[] { 1 }, new[] { 1 } }), new[] { 4, 5 }, new[] { 1, 1 }));
        Assert.Equal("inputLengths", e.ParamName);
        e = Assert.Throws<ArgumentException>(() => new Ctc(blank: 3).Compute(logits, Padded(new[] { new[] { 1 }, new[] { 1 } })));
        Assert.Contains("blank is 3", e.Message);
        Assert.Throws<ArgumentException>(() => ctc.Compute(Tensor.Zeros(2, 3), Padded(new[] { new[] { 1 }, new[] { 1 } })));
    }

    [Fact]
    public void Zero_weight_drops_an_item_even_an_impossible_one()
    {
        var logits = GradientCheck.RandomTensor(new SeededRandom(3), 1f, 2, 3, 3);
        var targets = Padded(new[] { new[] { 1, 1 }, new[] { 2 } }); // item 0 needs 3 steps: it has 2
        var ctc = new Ctc(reduction: CtcReduction.Sum);
        var lengths = new[] { 2, 3 };
        var alone = ctc.Compute(logits, targets, lengths, new[] { 2, 1 }, Tensor.FromArray(new[] { 0f, 1f }, 2));
        Assert.Equal(ctc.ItemLosses(logits, targets, lengths, new[] { 2, 1 })[1], alone.Value, 12);
        Assert.DoesNotContain(alone.Gradient.Span.ToArray(), float.IsNaN);
    }

    [Fact]
    public void Fit_learns_unaligned_labels_from_masked_variable_length_inputs()
    {
        // Each label k ∈ {1, 2, 3} is shown as a run of 1–3 frames of one-hot k, with silent frames
        // (all zero) between some runs; sequences are padded at the end. Targets: the labels, -1 padded.
        const int N = 96, T = 16, C = 4;
        var r = new SeededRandom(21);
        var x = Tensor.Zeros(N, T, C);
        var labels = new int[N][];
        var lengths = new int[N];
        for (int i = 0; i < N; i++)
        {
            var l = new List<int>();
            int t = 0;
            int count = 1 + r.NextInt(3);
            for (int k = 0; k < count; k++)
            {
                int label = 1 + r.NextInt(3);
                if (l.Count > 0 && l[^1] == label) t++; // a silent frame separates equal neighbours
                else if (r.NextInt(2) == 0) t++;
                int run = 1 + r.NextInt(3);
                for (int j = 0; j < run; j++, t++) x.Span[(i * T + t) * C + label] = 1f;
                l.Add(label);
            }
            labels[i] = l.ToArray();
            lengths[i] = t;
        }
        var y = Padded(labels);
        var mask = SequenceMask.FromLengths(lengths, T);
        var model = new Sequential(3, new Bidirectional(new Gru(12, returnSequences: true)), new Dense(C));
        model.Compile(new Adam(0.02f), new Ctc());
        model.Output = TextWriter.Null;
        var history = model.Fit(x, y, epochs: 40, batchSize: 16, mask: mask, verbose: Recur.Training.Verbosity.Silent);
        var losses = history["loss"];
        Assert.True(losses[^1] < 0.1 * losses[0], $"CTC loss went from {losses[0]:0.000} to {losses[^1]:0.000}");

        // Greedy decoding of the trained outputs reproduces the labels.
        var logits = model.Predict(x, mask: mask);
        int correct = 0;
        for (int i = 0; i < N; i++)
        {
            var best = new int[lengths[i]];
            for (int t = 0; t < lengths[i]; t++)
            {
                var row = logits.Span.Slice((i * T + t) * C, C);
                int arg = 0;
                for (int c = 1; c < C; c++) if (row[c] > row[arg]) arg = c;
                best[t] = arg;
            }
            if (Collapse(best).SequenceEqual(labels[i])) correct++;
        }
        Assert.True(correct >= N * 0.9, $"{correct} of {N} decoded exactly");
    }

    [Fact]
    public void Fit_rejects_a_label_longer_than_its_input_before_training()
    {
        var x = Tensor.Zeros(2, 4, 3);
        var y = Padded(new[] { new[] { 1, 2, 1 }, new[] { 1 } });
        var model = new Sequential(new Gru(4, returnSequences: true), new Dense(3));
        model.Compile(new Adam(), new Ctc());
        var e = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 2, mask: SequenceMask.FromLengths(new[] { 2, 4 }, 4), verbose: Recur.Training.Verbosity.Silent));
        Assert.Contains("y row 0 has 3 labels but its input has 2 steps", e.Message);
    }
}
