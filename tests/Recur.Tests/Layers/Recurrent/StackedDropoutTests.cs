using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;
using Mode = Recur.Tests.Layers.Recurrent.RecurrentGradientTests.Mode;

namespace Recur.Tests.Layers.Recurrent;

// Shapes: B batch, T time, I input, H hidden, L stacked layers, D directions, W = D·H (concat).

/// <summary>
/// <see cref="RecurrentOptions.Dropout"/>: inverted dropout on the output of every stacked layer
/// but the last, only while training. The pattern is drawn from the generator the layer forks at
/// build time, so a fresh layer built with the same seed draws the same pattern on its first call:
/// that is what makes finite differences in training mode possible.
/// </summary>
public class StackedDropoutTests
{
    private static readonly Mode[] Modes =
    {
        new("stacked2", 2, false, MergeMode.Concat, false),
        new("bidirectional_stacked3", 3, true, MergeMode.Concat, false),
        new("bidirectional_sum_masked", 2, true, MergeMode.Sum, true),
    };

    public static IEnumerable<object[]> Cases() =>
        from cell in new[] { "lstm", "gru", "gru_cho", "rnn_tanh" } from mode in Modes select new object[] { cell, mode.Name };

    private const int B = 3, T = 5, I = 3, H = 4;

    /// <summary>A layer built with seed 3 (so the same dropout pattern), holding <paramref name="values"/> when given.</summary>
    private static RecurrentLayer Build(string cell, Mode mode, float rate, float[][]? values = null)
    {
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = mode.Layers, Bidirectional = mode.Bidirectional, MergeMode = mode.Merge,
            ReturnSequences = true, Initialization = RecurrentInit.PyTorch, Dropout = rate,
        });
        layer.Build(new[] { T, I }, new SeededRandom(3));
        if (values is not null)
            for (int k = 0; k < values.Length; k++) values[k].CopyTo(layer.Parameters[k].Value.Span);
        return layer;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Training_gradients_match_finite_differences_for_a_fixed_seed(string cell, string modeName)
    {
        var mode = Modes.Single(m => m.Name == modeName);
        const float Rate = 0.4f;
        var values = Build(cell, mode, Rate).Parameters.Select(p => p.Value.ToArray()).ToArray();
        var r = new SeededRandom(17);
        var x = GradientCheck.RandomTensor(r, 1f, B, T, I);
        int S = mode.Layers * (mode.Bidirectional ? 2 : 1);
        var h0 = GradientCheck.RandomTensor(r, 0.5f, S, B, H);
        bool lstm = cell == "lstm";
        var c0 = lstm ? GradientCheck.RandomTensor(r, 0.5f, S, B, H) : null;
        var mask = mode.Masked ? SequenceMask.FromLengths(new[] { T, 2, 4 }, T) : null;
        int W = Build(cell, mode, Rate).OutputWidth;
        var wy = GradientCheck.RandomWeights(B * T * W, 1);
        var wh = GradientCheck.RandomWeights(S * B * H, 2);
        var wc = GradientCheck.RandomWeights(S * B * H, 3);

        // Each evaluation uses a fresh layer: its first training call draws the same pattern.
        double Loss()
        {
            var o = Build(cell, mode, Rate, values).ForwardWithState(x, h0, c0, mask, training: true);
            double l = GradientCheck.Dot(o.Output.Span, wy) + GradientCheck.Dot(o.HiddenState.Span, wh);
            if (o.CellState is not null) l += GradientCheck.Dot(o.CellState.Span, wc);
            return l;
        }

        var layer = Build(cell, mode, Rate, values);
        var trained = layer.ForwardWithState(x, h0, c0, mask, training: true);
        var g = layer.BackwardWithState(new Tensor(wy, B, T, W), new Tensor(wh, S, B, H), lstm ? new Tensor(wc, S, B, H) : null);
        // The pattern is really applied: training differs from inference.
        Assert.NotEqual(Build(cell, mode, Rate, values).ForwardWithState(x, h0, c0, mask).Output.ToArray(), trained.Output.ToArray());

        LayerGradientCheck.All(layer, g, x, h0, c0, values, Loss);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void Inference_equals_rate_zero_forward_and_backward(string cell)
    {
        var mode = Modes.Single(m => m.Name == "bidirectional_stacked3");
        var x = GradientCheck.RandomTensor(new SeededRandom(4), 1f, B, T, I);
        var dy = GradientCheck.RandomTensor(new SeededRandom(5), 1f, B, T, 2 * H);
        var with = Build(cell, mode, 0.5f);
        var without = Build(cell, mode, 0f);
        var a = with.ForwardWithState(x);
        var b = without.ForwardWithState(x);
        Assert.Equal(b.Output.ToArray(), a.Output.ToArray());
        Assert.Equal(b.HiddenState.ToArray(), a.HiddenState.ToArray());
        var ga = with.BackwardWithState(dy);
        var gb = without.BackwardWithState(dy);
        Assert.Equal(gb.Input!.ToArray(), ga.Input!.ToArray());
        for (int k = 0; k < with.Parameters.Count; k++)
            Assert.Equal(without.Parameters[k].Grad.ToArray(), with.Parameters[k].Grad.ToArray());
    }

    [Theory]
    [InlineData("lstm", 1, false)]
    [InlineData("lstm", 2, false)]
    [InlineData("gru", 3, true)]
    [InlineData("rnn_tanh", 2, true)]
    public void The_last_layer_output_is_never_dropped(string cell, int layers, bool bidirectional)
    {
        var mode = new Mode("custom", layers, bidirectional, MergeMode.Concat, false);
        var x = GradientCheck.RandomTensor(new SeededRandom(6), 1f, B, T, I);
        var layer = Build(cell, mode, 0.5f);
        var o = layer.ForwardWithState(x, training: true);
        // The returned sequence is the top layer's states as they are: the forward direction's
        // last step and the backward direction's first step are its final states.
        int D = bidirectional ? 2 : 1, W = D * H, top = (layers - 1) * D;
        for (int b = 0; b < B; b++)
            for (int j = 0; j < H; j++)
            {
                Assert.Equal(o.HiddenState[top, b, j], o.Output[b, T - 1, j]);
                if (bidirectional) Assert.Equal(o.HiddenState[top + 1, b, j], o.Output[b, 0, H + j]);
            }
        Assert.DoesNotContain(0f, o.Output.ToArray());
        Assert.Equal(B * T * W, o.Output.Length);
        if (layers == 1) Assert.Equal(Build(cell, mode, 0f).ForwardWithState(x).Output.ToArray(), o.Output.ToArray());
    }

    [Fact]
    public void Drops_about_rate_of_the_inter_layer_outputs_and_scales_the_rest()
    {
        // Two relu SimpleRNN layers; the top one passes its input through unchanged
        // (W_ih = identity, W_hh = 0, biases 0), so its output is the dropped output of the
        // bottom one, whose positive biases keep every unit above zero.
        const int Batch = 8, Steps = 25, Units = 50;
        const float Rate = 0.3f;
        float[] Run(bool training)
        {
            var layer = new SimpleRnn(Units, new RecurrentOptions { NumLayers = 2, ReturnSequences = true, Dropout = Rate }, RnnActivation.Relu);
            layer.Build(new[] { Steps, 2 }, new SeededRandom(9));
            foreach (var p in layer.Parameters)
            {
                if (p.Name.EndsWith("_l1")) p.Value.Clear();
                if (p.Name == "weight_ih_l1") for (int j = 0; j < Units; j++) p.Value[j, j] = 1f;
                if (p.Name == "weight_hh_l0") for (int k = 0; k < p.Value.Length; k++) p.Value.Span[k] *= 0.1f;
                if (p.Name == "bias_ih_l0") p.Value.Span.Fill(1f);
            }
            var x = GradientCheck.RandomTensor(new SeededRandom(10), 0.5f, Batch, Steps, 2);
            return layer.Forward(x, training: training).ToArray();
        }
        var inference = Run(false);
        var training = Run(true);
        Assert.All(inference, v => Assert.True(v > 0f, $"bottom-layer output {v} should be positive"));
        int dropped = 0;
        for (int k = 0; k < training.Length; k++)
        {
            if (training[k] == 0f) { dropped++; continue; }
            float expected = inference[k] * (1f / (1f - Rate));
            Assert.True(MathF.Abs(training[k] - expected) <= 1e-6f * expected, $"element {k}: kept value {training[k]}, expected {expected}");
        }
        double fraction = dropped / (double)training.Length;
        Assert.InRange(fraction, Rate - 0.02, Rate + 0.02); // 10 000 draws: σ ≈ 0.005
    }
}
