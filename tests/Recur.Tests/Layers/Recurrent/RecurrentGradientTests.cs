using Recur.Layers;
using Recur.Layers.Recurrent;
using Recur.Tests.Testing;

namespace Recur.Tests.Layers.Recurrent;

/// <summary>
/// Finite-difference checks of BPTT for every cell and mode: the loss is
/// Σ output⊙Wy + Σ h_n⊙Wh (+ Σ c_n⊙Wc), so every output and final state carries gradient.
/// </summary>
public class RecurrentGradientTests
{
    public sealed record Mode(string Name, int Layers, bool Bidirectional, MergeMode Merge, bool Masked);

    private static readonly Mode[] Modes =
    {
        new("single", 1, false, MergeMode.Concat, false),
        new("stacked3", 3, false, MergeMode.Concat, false),
        new("bidirectional", 1, true, MergeMode.Concat, false),
        new("bidirectional_stacked", 2, true, MergeMode.Concat, false),
        new("bidirectional_sum", 2, true, MergeMode.Sum, false),
        new("bidirectional_average", 1, true, MergeMode.Average, false),
        new("masked", 2, false, MergeMode.Concat, true),
        new("masked_bidirectional", 2, true, MergeMode.Concat, true),
    };

    public static IEnumerable<object[]> Cases() =>
        from cell in RecurrentFactory.Cells from mode in Modes select new object[] { cell, mode.Name };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Gradients_match_finite_differences(string cell, string modeName)
    {
        var mode = Modes.Single(m => m.Name == modeName);
        const int B = 3, T = 5, I = 3, H = 4;
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions
        {
            NumLayers = mode.Layers, Bidirectional = mode.Bidirectional, MergeMode = mode.Merge,
            ReturnSequences = true, Initialization = RecurrentInit.PyTorch,
        });
        var r = new SeededRandom(11);
        var x = GradientCheck.RandomTensor(r, 1f, B, T, I);
        int S = mode.Layers * layer.Directions;
        var h0 = GradientCheck.RandomTensor(r, 0.5f, S, B, H);
        bool lstm = cell == "lstm";
        var c0 = lstm ? GradientCheck.RandomTensor(r, 0.5f, S, B, H) : null;
        // lengths 5, 2, 1 exercise a full sequence, a padded one and a single step.
        var mask = mode.Masked ? SequenceMask.FromLengths(new[] { T, 2, 1 }, T) : null;
        layer.Build(new[] { T, I }, new SeededRandom(3));
        // Push relu units away from the kink so that ±ε never crosses it.
        if (cell == "rnn_relu")
            foreach (var p in layer.Parameters.Where(p => p.Name.StartsWith("bias_ih")))
                for (int k = 0; k < p.Value.Length; k++) p.Value.Span[k] += 0.3f;

        int W = layer.OutputWidth;
        var wy = GradientCheck.RandomWeights(B * T * W, 1);
        var wh = GradientCheck.RandomWeights(S * B * H, 2);
        var wc = GradientCheck.RandomWeights(S * B * H, 3);

        double Loss()
        {
            var o = layer.ForwardWithState(x, h0, c0, mask);
            double l = GradientCheck.Dot(o.Output.Span, wy) + GradientCheck.Dot(o.HiddenState.Span, wh);
            if (o.CellState is not null) l += GradientCheck.Dot(o.CellState.Span, wc);
            return l;
        }

        layer.ZeroGrad();
        layer.ForwardWithState(x, h0, c0, mask);
        var g = layer.BackwardWithState(new Tensor(wy, B, T, W), new Tensor(wh, S, B, H), lstm ? new Tensor(wc, S, B, H) : null);

        if (mask is not null) AssertPaddedInputsGetNoGradient(g.Input!, mask, I);
        // relu is piecewise linear: a smaller step straddles fewer kinks, and those it does are skipped.
        bool kinks = cell == "rnn_relu";
        float eps = kinks ? 1e-3f : 1e-2f;
        double atol = kinks ? 2e-3 : 1e-3;
        GradientCheck.Check("input", x.Data, g.Input!.Span, Loss, eps, atol, skipKinks: kinks);
        GradientCheck.Check("h0", h0.Data, g.InitialHidden.Span, Loss, eps, atol, skipKinks: kinks);
        if (lstm) GradientCheck.Check("c0", c0!.Data, g.InitialCell!.Span, Loss);
        foreach (var p in layer.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss, eps, atol, maxChecks: 60, skipKinks: kinks);
    }

    private static void AssertPaddedInputsGetNoGradient(Tensor dx, SequenceMask mask, int inputSize)
    {
        for (int b = 0; b < mask.Batch; b++)
            for (int t = 0; t < mask.Steps; t++)
                if (!mask[b, t])
                    for (int i = 0; i < inputSize; i++)
                        Assert.Equal(0f, dx[b, t, i]);
    }

    [Theory]
    [InlineData("lstm", false)]
    [InlineData("gru", true)]
    [InlineData("rnn_tanh", true)]
    public void Last_output_gradient_matches_finite_differences(string cell, bool bidirectional)
    {
        const int B = 2, T = 4, I = 3, H = 5;
        var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { Bidirectional = bidirectional, NumLayers = 2 });
        var r = new SeededRandom(5);
        var x = GradientCheck.RandomTensor(r, 1f, B, T, I);
        var mask = SequenceMask.FromLengths(new[] { 3, T }, T);
        var wy = GradientCheck.RandomWeights(B * layer.OutputWidth, 9);
        double Loss() => GradientCheck.Dot(layer.Forward(x, mask).Span, wy);

        var y = layer.Forward(x, mask);
        Assert.Equal(new[] { B, layer.OutputWidth }, y.ShapeArray);
        layer.ZeroGrad();
        var dx = layer.Backward(new Tensor(wy, B, layer.OutputWidth));
        GradientCheck.Check("input", x.Data, dx.Span, Loss);
        foreach (var p in layer.Parameters)
            GradientCheck.Check(p.Name, p.Value.Data, p.Grad.Span, Loss, maxChecks: 40);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("gru")]
    [InlineData("rnn_tanh")]
    public void Skipping_the_input_gradient_leaves_every_parameter_gradient_unchanged(string cell)
    {
        const int B = 9, T = 5, I = 3, H = 6;
        var random = new SeededRandom(21);
        var x = GradientCheck.RandomTensor(random, 1f, B, T, I);
        var dy = GradientCheck.RandomTensor(random, 1f, B, T, 2 * H);
        float[][] Grads(bool inputGradient, out Tensor? dx)
        {
            var layer = RecurrentFactory.Create(cell, H, new RecurrentOptions { ReturnSequences = true, Bidirectional = true, NumLayers = 2 });
            layer.Build(new[] { T, I }, new SeededRandom(8));
            layer.ForwardWithState(x);
            dx = layer.BackwardWithState(dy, inputGradient: inputGradient).Input;
            return layer.Parameters.Select(p => p.Grad.ToArray()).ToArray();
        }
        var with = Grads(true, out var dxWith);
        var without = Grads(false, out var dxWithout);
        Assert.NotNull(dxWith);
        Assert.Null(dxWithout);
        Assert.Equal(with.Length, without.Length);
        for (int k = 0; k < with.Length; k++) Assert.Equal(with[k], without[k]);
        Assert.Contains(with[0], g => g != 0f);
    }
}
