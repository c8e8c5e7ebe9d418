using Recur.Kernels;
using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tests.Kernels;
using Recur.Training;

namespace Recur.Tests.Models;

/// <summary>
/// <see cref="Model.Quantize"/>: an int8 copy that predicts as its float32 original (same
/// decisions, outputs within the rounding of the codes), for every recurrent form it covers,
/// refuses training, keeps the original as it was and survives a save and load.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class QuantizeTests
{
    private static Tensor Normal(int b, int t, int i, int seed)
    {
        var r = new SeededRandom((ulong)seed);
        var x = Tensor.Zeros(b, t, i);
        for (int k = 0; k < x.Length; k++) x.Span[k] = r.Normal();
        return x;
    }

    /// <summary>Row b of a (B, T, F) tensor as (1, T, F).</summary>
    private static Tensor Row(Tensor x, int b)
    {
        int t = x.Size(1), f = x.Size(2);
        return new Tensor(x.Span.Slice(b * t * f, t * f).ToArray(), 1, t, f);
    }

    private static float MaxAbsDiff(Tensor a, Tensor b)
    {
        Assert.Equal(a.Shape.ToArray(), b.Shape.ToArray());
        float worst = 0f;
        for (int k = 0; k < a.Length; k++) worst = MathF.Max(worst, MathF.Abs(a.Span[k] - b.Span[k]));
        return worst;
    }

    [Fact]
    public void A_quantised_classifier_makes_the_decisions_of_its_float_original()
    {
        var (x, y) = ToyData.SignOfSum(512, 12, seed: 1);
        var (xt, _) = ToyData.SignOfSum(400, 12, seed: 2);
        var labels = Tensor.Zeros(512);
        for (int i = 0; i < 512; i++) labels.Span[i] = y.Span[i];
        var model = new Sequential(3, new Lstm(24), new Dense(2)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.02f), Loss.SparseCategoricalCrossEntropy(fromLogits: true), Metric.Accuracy);
        model.Fit(x, labels, epochs: 10, batchSize: 32, verbose: Verbosity.Silent);

        var int8 = model.Quantize();
        var logits = model.Predict(xt);
        var quantised = int8.Predict(xt);
        int agree = 0, confident = 0;
        for (int i = 0; i < 400; i++)
        {
            float f0 = logits.Span[2 * i], f1 = logits.Span[2 * i + 1], q0 = quantised.Span[2 * i], q1 = quantised.Span[2 * i + 1];
            bool same = f1 > f0 == q1 > q0;
            if (same) agree++;
            if (MathF.Abs(f1 - f0) > 0.5f)
            {
                confident++;
                Assert.True(same, $"sample {i}: float logits ({f0}, {f1}), int8 ({q0}, {q1})");
            }
        }
        Assert.True(confident > 300, $"only {confident} of 400 decisions are clear-cut: the model did not learn");
        Assert.True(agree >= 396, $"{agree} of 400 decisions agree");
        // Logits reach about ±10 here; the codes' rounding moves them by a few hundredths.
        Assert.True(MaxAbsDiff(logits, quantised) < 0.25f, $"largest logit difference {MaxAbsDiff(logits, quantised)}");
    }

    /// <summary>The recurrent forms covered, each as a model of one or two layers returning its sequence.</summary>
    public static IEnumerable<object[]> Forms() => new[]
    {
        new object[] { "lstm" }, ["lstm_bidirectional"], ["lstm_stacked"], ["gru"], ["gru_reset_before"], ["gru_bidirectional_stacked"],
        ["rnn"], ["lstm_dense"],
    };

    private static Sequential FormModel(string form, int inputs)
    {
        var seq = new RecurrentOptions { ReturnSequences = true };
        Layer[] layers = form switch
        {
            "lstm" => [new Lstm(40, seq)],
            "lstm_bidirectional" => [new Lstm(40, seq with { Bidirectional = true })],
            "lstm_stacked" => [new Lstm(40, seq with { NumLayers = 2 })],
            "gru" => [new Gru(40, seq)],
            "gru_reset_before" => [new Gru(40, seq, resetAfter: false)],
            "gru_bidirectional_stacked" => [new Gru(40, seq with { Bidirectional = true, NumLayers = 2 })],
            "rnn" => [new SimpleRnn(40, seq)],
            "lstm_dense" => [new Lstm(40, seq), new TimeDistributed(new Dense(7, Activation.Tanh)), new Dense(3)],
            _ => throw new ArgumentOutOfRangeException(nameof(form), form, "unknown form"),
        };
        var model = new Sequential(5, layers);
        model.Build(-1, inputs);
        return model;
    }

    [Theory]
    [MemberData(nameof(Forms))]
    public void Every_form_predicts_as_its_float_original_within_the_rounding(string form)
    {
        var model = FormModel(form, 12);
        var x = Normal(9, 15, 12, seed: 7);
        var int8 = model.Quantize();
        var exact = model.Predict(x);
        var quantised = int8.Predict(x);
        // h stays in [−1, 1]; a pre-activation sums ≈ 50 products, each off by ≈ 1/255 of the
        // input's range times the weight plus 1/254 of the weight row's largest magnitude times the
        // input, of random signs: a few thousandths, carried through 15 steps by the contracting gates.
        float diff = MaxAbsDiff(exact, quantised);
        Assert.True(diff < 0.05f, $"{form}: largest output difference {diff}");
        Assert.True(diff > 0f, $"{form}: the int8 path did not run (outputs are the float ones)");
    }

    [Fact]
    public void Masked_steps_stay_zero_and_real_steps_follow_the_float_model()
    {
        var model = FormModel("lstm_bidirectional", 6);
        var x = Normal(5, 11, 6, seed: 8);
        int[] lengths = [11, 4, 7, 1, 9];
        var mask = SequenceMask.FromLengths(lengths, 11);
        var exact = model.Predict(x, mask: mask);
        var quantised = model.Quantize().Predict(x, mask: mask);
        Assert.True(MaxAbsDiff(exact, quantised) < 0.05f, $"largest difference {MaxAbsDiff(exact, quantised)}");
        int W = 80;
        for (int b = 0; b < 5; b++)
            for (int t = lengths[b]; t < 11; t++)
                for (int j = 0; j < W; j++) Assert.Equal(0f, quantised[b, t, j]);
    }

    [Fact]
    public void Results_do_not_depend_on_the_thread_count_nor_on_the_rest_of_the_batch()
    {
        var model = FormModel("lstm", 10); // H = 40: a one-row batch splits its units across two threads
        var int8 = model.Quantize();
        var x = Normal(7, 9, 10, seed: 9);
        Tensor one, two;
        using (KernelScope.Use(KernelSettings.BestGemmKernel, threads: 1)) one = int8.Predict(x);
        using (KernelScope.Use(KernelSettings.BestGemmKernel, threads: 2)) two = int8.Predict(x);
        Assert.Equal(one.ToArray(), two.ToArray());
        using (KernelScope.Use(KernelSettings.BestGemmKernel, threads: 2))
        {
            var wide = new Sequential(5, new Lstm(64, new RecurrentOptions { ReturnSequences = true }));
            wide.Build(-1, 10);
            var wideInt8 = wide.Quantize();
            var all = wideInt8.Predict(x);
            for (int b = 0; b < 7; b++)
            {
                var alone = wideInt8.Predict(Row(x, b)); // one row: the unit-split steps
                Assert.Equal(Row(all, b).ToArray(), alone.ToArray());
            }
        }
    }

    [Fact]
    public void Every_int8_tile_kind_gives_the_model_the_same_bits()
    {
        var int8 = FormModel("gru_bidirectional_stacked", 13).Quantize();
        var x = Normal(8, 5, 13, seed: 12);
        var best = int8.Predict(x).ToArray();
        foreach (var kernel in Int8GemmTests.FastKernels().Select(k => (string)k[0]).Append("Scalar"))
            Int8GemmTests.WithKernel(kernel, () => Assert.Equal(best, int8.Predict(x).ToArray()));
    }

    [Fact]
    public void The_original_stays_float_and_a_quantised_copy_refuses_training()
    {
        var (x, y) = ToyData.SignOfSum(64, 5, seed: 3);
        var model = new Sequential(1, new Lstm(8), new Dense(1)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true));
        model.Fit(x, y, epochs: 1, verbose: Verbosity.Silent);
        var before = model.Predict(x);
        var int8 = model.Quantize();
        Assert.True(int8.IsQuantized);
        Assert.False(model.IsQuantized);
        Assert.Equal(before.ToArray(), model.Predict(x).ToArray());
        var e = Assert.Throws<InvalidOperationException>(() => int8.Fit(x, y, verbose: Verbosity.Silent));
        Assert.Contains("int8", e.Message);
        Assert.Contains("Quantize()", e.Message);
        Assert.Throws<InvalidOperationException>(() => int8.TrainOnBatch(x, y));
        var lstm = (Lstm)int8.Layers[0];
        Assert.True(lstm.IsQuantized);
        lstm.Forward(x);
        var b = Assert.Throws<InvalidOperationException>(() => lstm.Backward(Tensor.Zeros(64, 8)));
        Assert.Contains("int8", b.Message);
        Assert.Throws<InvalidOperationException>(() => int8.Quantize());
        Assert.Throws<InvalidOperationException>(() => new Sequential(new Lstm(3)).Quantize());
        model.Fit(x, y, epochs: 1, verbose: Verbosity.Silent); // the original still trains
        Assert.True(int8.Evaluate(x, y).ContainsKey("loss"));
    }

    [Fact]
    public void A_saved_quantised_model_loads_quantised_with_the_same_outputs()
    {
        var model = FormModel("lstm_dense", 4);
        var int8 = model.Quantize();
        var x = Normal(3, 6, 4, seed: 10);
        string path = Path.Combine(Path.GetTempPath(), $"recur-int8-{Guid.NewGuid():N}.recur");
        try
        {
            int8.Save(path);
            var loaded = Model.Load(path);
            Assert.True(loaded.IsQuantized);
            Assert.Equal(int8.Predict(x).ToArray(), loaded.Predict(x).ToArray());
            model.Save(path);
            Assert.False(Model.Load(path).IsQuantized);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_quantised_copy_of_a_trained_model_starts_its_optimizer_afresh()
    {
        // The original has Adam's moments and step count; the int8 copy is for inference: its
        // file (optimizer included, the default) holds no moments and zero iterations.
        var (x, y) = ToyData.SignOfSum(32, 6, seed: 12);
        var model = new Sequential(13, new Lstm(8), new Dense(1)) { Output = TextWriter.Null };
        model.Compile(new Adam(0.01f), Loss.BinaryCrossEntropy(fromLogits: true));
        model.Fit(x, y, epochs: 1, batchSize: 16, verbose: Verbosity.Silent);
        string path = Path.Combine(Path.GetTempPath(), $"recur-int8-{Guid.NewGuid():N}.recur");
        (int Moments, double Iterations) Optimizer()
        {
            var file = Recur.Serialization.SafeTensorsFile.Read(path);
            var scalars = System.Text.Json.Nodes.JsonNode.Parse(file.Metadata["optimizer_scalars"])!;
            return (file.Names.Count(n => n.StartsWith("optimizer.", StringComparison.Ordinal)), (double)scalars["iterations"]!);
        }
        try
        {
            model.Save(path);
            Assert.Equal((12, 2.0), Optimizer()); // two moments for each of the six parameters
            model.Quantize().Save(path);
            Assert.Equal((0, 0.0), Optimizer());
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Layer_normalised_lstms_stay_float()
    {
        var model = new Sequential(2, new Lstm(16, new RecurrentOptions { ReturnSequences = true, LayerNorm = true }));
        model.Build(-1, 5);
        var x = Normal(2, 4, 5, seed: 11);
        var int8 = model.Quantize();
        Assert.False(((Lstm)int8.Layers[0]).IsQuantized);
        Assert.Equal(model.Predict(x).ToArray(), int8.Predict(x).ToArray());
    }
}
